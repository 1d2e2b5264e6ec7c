package dev.ordo.bench.e2e;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The append cases of {@link LogBenchmark}, each on a fresh directory: Ordo's producers under each
 * fsync policy, Chronicle Queue at matched durability, and raw {@link FileChannel} writes of the same
 * payload bytes (the physical limit).
 */
final class AppendCases {

    /**
     * Ordo's send-to-acknowledgement latency is recorded for one record in this many (a callback per
     * record would add its own cost to the sender thread that Chronicle Queue, which has no
     * acknowledgement, does not pay); throughput still runs to the last acknowledgement.
     */
    private static final int ACK_SAMPLE = 64;

    private final RunDirectories directories;
    private final double scale;

    AppendCases(RunDirectories directories, double scale) {
        this.directories = directories;
        this.scale = scale;
    }

    /** Warms the JIT on both systems and both sizes before anything is recorded. */
    void warmUp() throws Exception {
        for (int size : new int[] {100, 1024}) {
            ordo(size, 1, "none", (long) (200_000 * scale));
            chronicle(size, 1, false, (long) (200_000 * scale));
        }
    }

    /** Every append case, each printed as it is measured. */
    List<Figure> all() throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (int size : new int[] {100, 1024}) {
            long records = records(size);
            for (int writers : new int[] {1, 8}) {
                for (String fsync : new String[] {"none", "interval:5ms", "every-batch"}) {
                    figures.add(Report.print(ordo(size, writers, fsync, records)));
                }
                figures.add(Report.print(chronicle(size, writers, false, records)));
                figures.add(Report.print(chronicle(size, writers, true, records)));
            }
            for (String force : new String[] {"none", "interval:5ms", "every-chunk"}) {
                figures.add(Report.print(raw(size, records, force)));
            }
        }
        return figures;
    }

    /**
     * One append case repeated, Ordo and Chronicle Queue at matched durability taking turns, so a
     * difference can be judged against the spread of the repetitions (median printed last).
     */
    void repeat(int size, int writers, String fsync, int repetitions) throws Exception {
        long records = records(size);
        boolean sync = !fsync.equals("none");
        for (int w = 0; w < 2; w++) { // warm-up: the first full-size run of a fresh JVM is still compiling
            ordo(size, writers, fsync, records);
            chronicle(size, writers, sync, records);
        }
        Report.printHeader();
        double[] ordo = new double[repetitions];
        double[] chronicle = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            ordo[r] = Report.print(ordo(size, writers, fsync, records)).recordsPerSecond();
            chronicle[r] = Report.print(chronicle(size, writers, sync, records)).recordsPerSecond();
        }
        Arrays.sort(ordo);
        Arrays.sort(chronicle);
        System.out.printf(
                Locale.ROOT,
                "median of %d: ordo %,.0f records/s (%,.0f-%,.0f), chronicle %,.0f (%,.0f-%,.0f)%n",
                repetitions,
                ordo[repetitions / 2],
                ordo[0],
                ordo[repetitions - 1],
                chronicle[repetitions / 2],
                chronicle[0],
                chronicle[repetitions - 1]);
    }

    private long records(int size) {
        return (long) ((size == 100 ? 2_000_000 : 400_000) * scale);
    }

    /** Writers on their own threads, each with its own producer, sending {@code records / writers} records. */
    Figure ordo(int size, int writers, String fsync, long records) throws Exception {
        Path dir = directories.fresh("ordo");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(
                    "bench",
                    TopicSpec.partitions(LogBenchmark.PARTITIONS)
                            .fsync(TopicSpec.parseFsync(fsync))
                            .segmentBytes(256 << 20));
            long perWriter = records / writers;
            Histogram[] latencies = new Histogram[writers];
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            AtomicLong lastAck = new AtomicLong();
            for (int w = 0; w < writers; w++) {
                // Callbacks run on the sender thread, or on the writer's if the ack came first: concurrent.
                Histogram histogram = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
                latencies[w] = histogram;
                OrdoProducer<byte[], byte[]> producer =
                        OrdoProducer.builder(log, "bench").build();
                int writer = w;
                threads.add(new Thread(
                        () -> {
                            byte[] value = new byte[size];
                            byte[][] keys = Keys.forWriter(writer);
                            try {
                                start.await();
                                for (long i = 0; i < perWriter; i++) {
                                    if ((i & (ACK_SAMPLE - 1)) == 0) {
                                        long sent = System.nanoTime();
                                        producer.send(keys[(int) (i & 63)], value)
                                                .thenRun(() -> histogram.recordValue(System.nanoTime() - sent));
                                    } else {
                                        producer.send(keys[(int) (i & 63)], value);
                                    }
                                }
                                producer.close(); // returns once every record is acknowledged
                                lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "writer-" + w));
            }
            long begin = startTogether(threads, start);
            return Figure.of(
                    "ordo", fsync, size, writers, perWriter * writers, lastAck.get() - begin, merge(latencies));
        } finally {
            directories.discard(dir);
        }
    }

    /** Chronicle Queue appenders (one per thread), page cache only or with a forced {@code sync()} every 5 ms. */
    Figure chronicle(int size, int writers, boolean periodicSync, long records) throws Exception {
        Path dir = directories.fresh("chronicle");
        // appender.sync() is msync(MS_ASYNC) by default, which on Linux writes nothing: SyncMode.SYNC
        // (msync(MS_SYNC)) is what makes the periodic sync a force to disk, matching Ordo's interval policy.
        try (ChronicleQueue queue = periodicSync
                ? ChronicleQueue.singleBuilder(dir).syncMode(SyncMode.SYNC).build()
                : ChronicleQueue.singleBuilder(dir).build()) {
            long perWriter = records / writers;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            Histogram[] latencies = new Histogram[writers];
            long syncEvery = TimeUnit.MILLISECONDS.toNanos(5);
            for (int w = 0; w < writers; w++) {
                Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                latencies[w] = histogram;
                threads.add(new Thread(
                        () -> {
                            Bytes<?> value = Bytes.allocateElasticDirect(size);
                            value.write(new byte[size]);
                            try (ExcerptAppender appender = queue.createAppender()) {
                                start.await();
                                long lastSync = System.nanoTime();
                                for (long i = 0; i < perWriter; i++) {
                                    long sent = System.nanoTime();
                                    appender.writeBytes(value);
                                    long now = System.nanoTime();
                                    if (periodicSync && now - lastSync >= syncEvery) {
                                        appender.sync();
                                        lastSync = now = System.nanoTime();
                                    }
                                    histogram.recordValue(now - sent);
                                }
                                if (periodicSync) {
                                    appender.sync();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                value.releaseLast();
                            }
                        },
                        "chronicle-" + w));
            }
            long begin = startTogether(threads, start);
            return Figure.of(
                    "chronicle-queue",
                    periodicSync ? "msync(MS_SYNC) every 5 ms" : "page cache (default)",
                    size,
                    writers,
                    perWriter * writers,
                    System.nanoTime() - begin,
                    merge(latencies));
        } finally {
            directories.discard(dir);
        }
    }

    /** The physical limit: the same payload bytes written sequentially in 1 MiB chunks. */
    Figure raw(int size, long records, String force) throws IOException {
        Path dir = directories.fresh("raw");
        try (FileChannel channel =
                FileChannel.open(dir.resolve("raw.bin"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            long total = records * size;
            long forceEvery = TimeUnit.MILLISECONDS.toNanos(5);
            long begin = System.nanoTime();
            long lastForce = begin;
            for (long written = 0; written < total; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), total - written));
                while (chunk.hasRemaining()) {
                    written += channel.write(chunk);
                }
                long now = System.nanoTime();
                if (force.equals("every-chunk") || (force.equals("interval:5ms") && now - lastForce >= forceEvery)) {
                    channel.force(false);
                    lastForce = System.nanoTime();
                }
            }
            if (!force.equals("none")) {
                channel.force(false);
            }
            long elapsed = System.nanoTime() - begin;
            return new Figure(
                    "raw FileChannel",
                    force,
                    size,
                    1,
                    records,
                    records * 1e9 / elapsed,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN);
        } finally {
            directories.discard(dir);
        }
    }

    /** Starts the writers, releases them at once and waits for them; returns the release time. */
    private static long startTogether(List<Thread> threads, CountDownLatch start) throws InterruptedException {
        threads.forEach(Thread::start);
        long begin = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return begin;
    }

    private static Histogram merge(Histogram[] histograms) {
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (Histogram h : histograms) {
            all.add(h);
        }
        return all;
    }
}
