package dev.ordo.bench.jmh;

import dev.ordo.check.OrderingMonitor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one in-order {@link OrderingMonitor} observation costs, in nanoseconds, with 1,000 keys
 * visited round-robin and looked up by equal but distinct {@code String}s (as a consumer decoding
 * keys has them): by key, through a {@code Watch}, and the loop alone as the baseline. Set against
 * the per-record cost of a consumer path ({@link MonitorOnLogConsumerBenchmark}), this gives the
 * monitor's share with far less noise than comparing whole consumers across JVMs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 3,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class MonitorObserveBenchmark {

    static final int KEYS = 1_000;

    private String[] lookupKeys;
    private long[] sequences;
    private OrderingMonitor<String> monitor;
    private OrderingMonitor<String>.Watch[] watches;
    private int next;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        monitor = OrderingMonitor.<String>builder().firstSequence(0).build();
        lookupKeys = new String[KEYS];
        watches = new OrderingMonitor.Watch[KEYS];
        sequences = new long[KEYS];
        for (int k = 0; k < KEYS; k++) {
            String key = "key-" + k;
            watches[k] = monitor.watch(key);
            lookupKeys[k] = new String(key.toCharArray()); // equal, not the same instance
            lookupKeys[k].hashCode(); // as after the application's own map lookup
        }
    }

    private int nextKey() {
        int k = next;
        next = k + 1 == KEYS ? 0 : k + 1;
        return k;
    }

    @Benchmark
    public long baseline() {
        int k = nextKey();
        return sequences[k]++;
    }

    @Benchmark
    public Object byKey() {
        int k = nextKey();
        return monitor.observe(lookupKeys[k], sequences[k]++);
    }

    @Benchmark
    public Object watch() {
        int k = nextKey();
        return watches[k].observe(sequences[k]++);
    }
}
