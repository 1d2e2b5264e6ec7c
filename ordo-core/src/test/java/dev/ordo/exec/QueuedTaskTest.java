package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks that are their own queue entries ({@link KeyOrderedExecutor#submitQueued}): the same rules as any task. */
class QueuedTaskTest {

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> ended = new CopyOnWriteArrayList<>();
    private KeyOrderedExecutor<String> executor;

    @AfterEach
    void close() {
        executor.close(Duration.ofSeconds(5));
    }

    @Test
    void queuedTasksRunInListOrderBehindTheKeysEarlierTasksEachToldItsEnd() throws Exception {
        executor = KeyOrderedExecutor.<String>builder().concurrency(4).build();
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", () -> {
            release.await(10, TimeUnit.SECONDS);
            ran.add("first");
        });
        List<Step> tasks = new ArrayList<>(List.of(new Step("q1"), new Step("q2"), new Step("q3")));
        executor.submitQueued("a", tasks);
        tasks.clear(); // the executor keeps no list: the caller reuses it
        tasks.add(new Step("q4"));
        executor.submitQueued("a", tasks);
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 4);
        assertThat(ran).containsExactly("first", "q1", "q2", "q3", "q4");
        assertThat(ended).containsExactly("q1 SUCCEEDED", "q2 SUCCEEDED", "q3 SUCCEEDED", "q4 SUCCEEDED");
        assertThat(executor.stats().inFlight()).isZero();
        assertThat(executor.stats().activeKeys()).isZero();
    }

    @Test
    void aTaskSubmittedTwiceIsRefusedNamingItAndNoneOfItsListIsSubmitted() throws Exception {
        executor = KeyOrderedExecutor.<String>builder().concurrency(1).build();
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", () -> release.await(10, TimeUnit.SECONDS));
        Step once = new Step("once");
        executor.submitQueued("a", List.of(once));
        Step other = new Step("other");
        long submitted = executor.stats().submitted();

        assertThatThrownBy(() -> executor.submitQueued("b", List.of(other, once)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("submitted before, once was");
        assertThat(executor.stats().submitted()).isEqualTo(submitted);
        assertThat(executor.stats().inFlight()).isEqualTo(2);

        executor.submitQueued("b", List.of(other)); // left as it was: it may still be submitted
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 2);
        assertThat(ended).containsExactlyInAnyOrder("once SUCCEEDED", "other SUCCEEDED");
    }

    @Test
    void aFailingQueuedTaskParksItsKeyAndASkipMovesTheKeyOn() {
        executor = KeyOrderedExecutor.<String>builder().concurrency(2).build();
        Step failing = new Step("failing", true);
        executor.submitQueued("a", List.of(failing, new Step("behind")));

        await().atMost(Duration.ofSeconds(10)).until(() -> !executor.parked().isEmpty());
        ParkedKey<String> parked = executor.parked().get(0);
        assertThat(parked.task()).isSameAs(failing);
        assertThat(parked.waitingBehind()).isEqualTo(1);
        assertThat(executor.stuckTasks(task -> true)).isEqualTo(2);
        assertThat(ran).isEmpty();

        assertThat(executor.skip(parked, "test")).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 2);
        assertThat(ended).containsExactly("failing SKIPPED", "behind SUCCEEDED");
        assertThat(ran).containsExactly("behind");
    }

    /** A queued task that notes when it ran and how it ended. */
    private final class Step extends QueuedTask {
        private final String name;
        private final boolean fails;

        Step(String name) {
            this(name, false);
        }

        Step(String name, boolean fails) {
            this.name = name;
            this.fails = fails;
        }

        @Override
        public void run() {
            if (fails) {
                throw new IllegalStateException(name + " fails");
            }
            ran.add(name);
        }

        @Override
        protected void ended(Outcome outcome, Throwable error) {
            ended.add(name + " " + outcome);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
