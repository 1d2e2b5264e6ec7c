package dev.ordo.bench.jmh;

import dev.ordo.check.OrderingMonitor;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.sequence.Resequencer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What leaving the online {@link OrderingMonitor} on costs, measured with and without it in the
 * same run ({@code monitor=false|true}):
 * <ul>
 *   <li>{@code resequencerOnly}: the cheapest stage alone (in-order resequencing, ~17 ns a message),
 *       the monitor watching its output per source: the worst case for relative overhead.</li>
 *   <li>{@code keyedPipeline}: resequencer, then a key-ordered executor over 1,000 keys whose
 *       trivial handler the monitor watches per key: the shape of a real consumer.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MonitorOverheadBenchmark {

    static final int MESSAGES = 1 << 17;
    static final int PIPELINE_MESSAGES = 100_000;
    static final int KEYS = 1_000;

    @Param({"false", "true"})
    public boolean monitor;

    private Long[] sequences;
    private String[] keyNames;
    private KeyOrderedExecutor<String> executor;

    @Setup(Level.Trial)
    public void setUp() {
        sequences = Workloads.boxed(Workloads.inOrder(MESSAGES));
        keyNames = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            keyNames[k] = "key-" + k;
        }
        executor = KeyOrderedExecutor.<String>builder()
                .maxInFlight(PIPELINE_MESSAGES)
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.close();
    }

    private OrderingMonitor<String> newMonitor() {
        return monitor ? OrderingMonitor.<String>builder().firstSequence(0).build() : null;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long resequencerOnly(Blackhole out) {
        OrderingMonitor<String> watch = newMonitor();
        Resequencer<String, Long> resequencer = Resequencer.<String, Long>builder()
                .build((source, sequence, m) -> {
                    if (watch != null) {
                        watch.observe(source, sequence);
                    }
                    out.consume(m);
                });
        for (Long s : sequences) {
            resequencer.offer("p", s, s);
        }
        return resequencer.nextExpected("p");
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE_MESSAGES)
    public void keyedPipeline(Blackhole out) throws InterruptedException {
        OrderingMonitor<String> watch = newMonitor();
        CountDownLatch done = new CountDownLatch(PIPELINE_MESSAGES);
        long[] perKey = new long[KEYS];
        Resequencer<String, Long> resequencer = Resequencer.<String, Long>builder()
                .build((source, sequence, m) -> {
                    int k = (int) (sequence % KEYS);
                    long keySequence = perKey[k]++;
                    executor.submit(keyNames[k], () -> {
                        if (watch != null) {
                            watch.observe(keyNames[k], keySequence);
                        }
                        out.consume(m);
                        done.countDown();
                    });
                });
        for (int i = 0; i < PIPELINE_MESSAGES; i++) {
            resequencer.offer("p", i, sequences[i]);
        }
        done.await();
    }
}
