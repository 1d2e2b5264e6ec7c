package dev.ordo.bench.jmh;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bytes allocated per record on the embedded engine's path, end to end: an {@link OrdoProducer} sends
 * {@value #RECORDS} records (100 B values, {@value #KEYS} keys, {@value #PARTITIONS} partitions, no fsync)
 * and an {@link OrdoConsumer} that runs for the whole trial fetches, dispatches (KEY ordering, 4 handler
 * threads), hands each to a trivial handler, completes and commits them; an invocation ends when the
 * handler has seen all of them. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is then the bytes
 * allocated per record by every thread of the process (the producer's, the fetcher, the handlers, the
 * committer). The score, records per second, is the same path's throughput on a shared machine: a side
 * figure.
 *
 * <pre>
 * java -jar ordo-bench/target/benchmarks.jar ConsumerAllocationBenchmark -f 1 -wi 3 -w 2 -i 5 -r 2 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ConsumerAllocationBenchmark {

    static final int RECORDS = 20_000;
    static final int KEYS = 1_000;
    static final int PARTITIONS = 4;

    private Path dir;
    private EmbeddedLog log;
    private OrdoProducer<byte[], byte[]> producer;
    private RecordConsumer consumer;
    private final byte[][] keys = new byte[KEYS][];
    private final byte[] value = new byte[100];

    private final AtomicLong handled = new AtomicLong();
    /** The count at which the handler wakes {@link #waiter}. */
    private volatile long target = Long.MAX_VALUE;

    private volatile Thread waiter;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("ordo-allocation-bench");
        log = EmbeddedLog.open(dir);
        // Retention keeps the log of a long run small; the consumer reads each record long before it goes.
        log.createTopic(
                "t",
                TopicSpec.partitions(PARTITIONS)
                        .fsync(FsyncPolicy.none())
                        .segmentBytes(8 << 20)
                        .retention(LogConfig.Retention.bytes(32 << 20)));
        for (int k = 0; k < KEYS; k++) {
            keys[k] = ("key-" + k).getBytes(StandardCharsets.UTF_8);
        }
        producer = OrdoProducer.builder(log, "t").build();
        consumer = OrdoConsumer.builder(log, "t")
                .group("allocation")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .handler(record -> {
                    if (handled.incrementAndGet() == target) {
                        LockSupport.unpark(waiter);
                    }
                })
                .start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        consumer.close();
        producer.close();
        log.close();
        Directories.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long produceAndConsume() {
        waiter = Thread.currentThread();
        long until = sent + RECORDS;
        target = until;
        for (int i = 0; i < RECORDS; i++) {
            producer.send(keys[(int) (sent++ % KEYS)], value);
        }
        while (handled.get() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return until;
    }
}
