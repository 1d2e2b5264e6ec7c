package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * {@link KeyOrderedExecutor.Builder#virtualThreads()}: on Java 21 or newer the keys run on virtual threads
 * with every guarantee of the platform-thread workers; before Java 21 the option is refused, naming the
 * version. The build's JDK runs the first; the others run where a Java 21+ JDK runs the tests.
 */
class VirtualThreadWorkersTest {

    private final List<KeyOrderedExecutor<String>> executors = new ArrayList<>();

    private KeyOrderedExecutor<String> start(int concurrency) {
        KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(concurrency)
                .virtualThreads()
                .build();
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void closeAll() {
        executors.forEach(e -> e.close(Duration.ofSeconds(5)));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void beforeJava21TheOptionIsRefusedNamingTheRunningVersion() {
        KeyOrderedExecutor.Builder<String> builder = KeyOrderedExecutor.builder();

        assertThatThrownBy(builder::virtualThreads)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("virtualThreads() needs Java 21 or newer, running on "
                        + Runtime.version().feature());
        assertThat(builder.virtualThreads).isFalse();
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void tasksRunOnVirtualThreadsOneAtATimePerKeyInSubmissionOrder() throws Exception {
        KeyOrderedExecutor<String> executor = start(8);
        int keys = 50;
        int perKey = 40;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger onPlatformThreads = new AtomicInteger();
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                String key = "k" + k;
                int seq = i;
                futures.add(executor.submit(key, () -> {
                    if (!running.computeIfAbsent(key, x -> new AtomicBoolean()).compareAndSet(false, true)) {
                        overlaps.incrementAndGet();
                    }
                    if (!isVirtual(Thread.currentThread())) {
                        onPlatformThreads.incrementAndGet();
                    }
                    Thread.yield(); // lets another key's worker in while this one holds its key
                    seen.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>()).add(seq);
                    running.get(key).set(false);
                }));
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(onPlatformThreads).hasValue(0);
        assertThat(overlaps).hasValue(0);
        assertThat(seen).hasSize(keys);
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            inOrder.add(i);
        }
        seen.values().forEach(order -> assertThat(order).isEqualTo(inOrder));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void concurrencyBoundsTheKeysRunningAtOnceAndSetConcurrencyMovesTheBound() throws Exception {
        KeyOrderedExecutor<String> executor = start(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runningNow = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            futures.add(executor.submit("k" + k, () -> {
                mostAtOnce.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
                release.await();
                runningNow.decrementAndGet();
            }));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> runningNow.get() == 3);
        assertThat(executor.inProgress()).hasSize(3);
        executor.setConcurrency(6);
        await().atMost(Duration.ofSeconds(5)).until(() -> runningNow.get() == 6);
        assertThat(executor.concurrency()).isEqualTo(6);
        release.countDown();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(mostAtOnce).hasValue(6);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void aFailingKeyParksWhileOtherKeysGoOnAndResumesInOrder() throws Exception {
        KeyOrderedExecutor<String> executor = start(2);
        AtomicBoolean failing = new AtomicBoolean(true);
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            if (failing.get()) {
                throw new IllegalStateException("bad record");
            }
            ran.add("a1");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behind = executor.submit("a", () -> ran.add("a2"));
        CompletableFuture<KeyOrderedExecutor.Outcome> other = executor.submit("b", () -> ran.add("b1"));

        assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        assertThat(executor.parked().get(0).key()).isEqualTo("a");
        assertThat(executor.inProgress())
                .singleElement()
                .extracting(KeyInProgress::state)
                .isEqualTo(KeyInProgress.State.PARKED);
        assertThat(behind).isNotDone();

        failing.set(false);
        assertThat(executor.resume("a")).isTrue();
        assertThat(behind.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(poison).isCompletedWithValue(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(ran).containsExactly("b1", "a1", "a2");
        assertThat(executor.close(Duration.ofSeconds(5))).isTrue();
    }

    /** {@code Thread.isVirtual()}, which the tests, compiled for Java 17, look up. */
    private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
        return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
    }
}
