package dev.ordo.bench.jmh;

import dev.ordo.check.OrderingMonitor;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/**
 * The online {@link OrderingMonitor}'s cost on the path of a real consumer, single-threaded so that
 * runs agree: read a partition of the embedded log (100,000 records of 100 B over 1,000 keys, in the
 * page cache), decode each record, and apply it to the application's state (a per-key running
 * total), with the monitor watching each key's sequence looked up by key ({@code byKey}) or through
 * a watch kept in the key's state ({@code watch}), or not at all ({@code none}). No executor threads, whose
 * scheduling made the multi-threaded pipeline's forks disagree by more than the effect sought.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 3,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MonitorOnLogConsumerBenchmark {

    static final int RECORDS = 100_000;
    static final int KEYS = 1_000;
    static final int READ_BYTES = 1 << 20;

    /** none; byKey: {@code monitor.observe(key, sequence)}; watch: a per-key {@code Watch} kept in the key's state. */
    @Param({"none", "byKey", "watch"})
    public String monitor;

    private Path dir;
    private EmbeddedLog log;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("ordo-monitor-bench");
        log = EmbeddedLog.open(dir);
        log.createTopic("t", TopicSpec.partitions(1).fsync(FsyncPolicy.none()));
        byte[] padding = new byte[92];
        long[] perKey = new long[KEYS];
        for (int i = 0; i < RECORDS; i++) {
            int k = i % KEYS;
            byte[] value =
                    ByteBuffer.allocate(100).putLong(perKey[k]++).put(padding).array();
            log.append("t", ("key-" + k).getBytes(StandardCharsets.UTF_8), value);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        Directories.deleteRecursively(dir);
    }

    /** The application's state for one key: a running total (and the key's watch, if it keeps one). */
    static final class KeyState {
        long total;
        final OrderingMonitor<String>.Watch watch;

        KeyState(OrderingMonitor<String>.Watch watch) {
            this.watch = watch;
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long consume() throws IOException {
        boolean byKey = monitor.equals("byKey");
        boolean watched = monitor.equals("watch");
        OrderingMonitor<String> watch = monitor.equals("none")
                ? null
                : OrderingMonitor.<String>builder().firstSequence(0).build();
        Map<String, KeyState> state = new HashMap<>(KEYS * 2);
        long offset = 0;
        while (offset < RECORDS) {
            List<Record> batch = log.read("t", 0, offset, READ_BYTES);
            for (Record r : batch) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                long sequence = ByteBuffer.wrap(r.value()).getLong();
                KeyState s = state.computeIfAbsent(key, k -> new KeyState(watched ? watch.watch(k) : null));
                if (byKey) {
                    watch.observe(key, sequence);
                } else if (watched) {
                    s.watch.observe(sequence);
                }
                s.total += r.value().length; // the handler
                offset = r.offset() + 1;
            }
        }
        return state.size();
    }
}
