package dev.ordo.bench.probe;

import dev.ordo.log.storage.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Without Ordo: the fastest an every-batch log can acknowledge on this disk. Bytes arrive at a steady
 * rate; in rounds, as a producer's sender does under {@code FsyncPolicy.everyBatch()}, the bytes that
 * arrived since the last round began are appended to 8 files (an eighth each, as to 8 partitions) and
 * forced, and the next round begins when the force returns. A byte's latency runs from its arrival
 * (spread evenly between two round starts) to the end of its round's force: it waits for the force
 * under way, then for its own. No encoding, no threads handing work over, no reader: what is left is
 * the disk and the file system, the floor under the end-to-end figure of every-batch.
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.probe.GroupCommitProbe \
 *      DIR MODE MB_PER_SECOND SECONDS
 * </pre>
 *
 * MODE {@code files}: the 8 files are forced at once (one thread each, as the sender forces a round's
 * partitions). MODE {@code journal}: the round's bytes also go to a ninth file, and only that one is
 * forced (a write-ahead journal shared by the partitions, as BookKeeper's; the partitions' files are
 * left to the operating system): one force per round instead of 8, for twice the bytes written.
 */
public final class GroupCommitProbe {

    private static final int FILES = 8;
    /** Latency samples per round, spread over the arrival interval (each weighted by its share of the bytes). */
    private static final int SAMPLES = 20;

    private GroupCommitProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("files") || args[1].equals("journal"))) {
            System.err.println("usage: GroupCommitProbe DIR files|journal MB_PER_SECOND SECONDS");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(args[0])), "group-commit");
        boolean journal = args[1].equals("journal");
        double bytesPerNano = Double.parseDouble(args[2]) * 1e6 / 1e9;
        long runNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        ExecutorService forcing = Executors.newFixedThreadPool(FILES);
        List<FileChannel> files = new ArrayList<>();
        try {
            for (int i = 0; i < (journal ? FILES + 1 : FILES); i++) { // the last one is the journal
                files.add(FileChannel.open(
                        dir.resolve("file-" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            }
            Result result = run(files, journal, bytesPerNano, runNanos, forcing);
            System.out.printf(
                    Locale.ROOT,
                    "%s at %s MB/s: %,d rounds, %.0f MB/s of arrivals; round p50 %.2f ms, p99 %.2f ms;"
                            + " byte latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n",
                    args[1],
                    args[2],
                    result.rounds,
                    result.bytes / 1e6 / (runNanos / 1e9),
                    millis(result.round, 50),
                    millis(result.round, 99),
                    millis(result.latency, 50),
                    millis(result.latency, 99),
                    millis(result.latency, 99.9));
        } finally {
            forcing.shutdownNow();
            for (FileChannel file : files) {
                file.close();
            }
            Directories.deleteRecursively(dir);
        }
    }

    private record Result(long rounds, long bytes, Histogram round, Histogram latency) {}

    private static Result run(
            List<FileChannel> files, boolean journal, double bytesPerNano, long runNanos, ExecutorService forcing)
            throws Exception {
        ByteBuffer source = ByteBuffer.allocateDirect(64 << 20);
        Histogram round = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        long begin = System.nanoTime();
        long lastStart = begin;
        long rounds = 0;
        long bytes = 0;
        while (true) {
            long start = System.nanoTime();
            if (start - begin >= runNanos) {
                return new Result(rounds, bytes, round, latency);
            }
            int share =
                    (int) Math.min(source.capacity() / FILES, Math.max(1, (start - lastStart) * bytesPerNano / FILES));
            for (int i = 0; i < FILES; i++) {
                write(files.get(i), source, share);
            }
            if (journal) {
                write(files.get(FILES), source, share * FILES);
                files.get(FILES).force(false);
            } else {
                List<CompletableFuture<Void>> forces = new ArrayList<>();
                for (int i = 0; i < FILES; i++) {
                    FileChannel file = files.get(i);
                    forces.add(CompletableFuture.runAsync(() -> force(file), forcing));
                }
                CompletableFuture.allOf(forces.toArray(CompletableFuture[]::new))
                        .join();
            }
            long done = System.nanoTime();
            round.recordValue(done - start);
            long roundBytes = (long) share * FILES;
            for (int k = 0; k < SAMPLES; k++) {
                long arrived = lastStart + (start - lastStart) * k / SAMPLES;
                latency.recordValueWithCount(done - arrived, Math.max(1, roundBytes / SAMPLES));
            }
            rounds++;
            bytes += roundBytes;
            lastStart = start;
        }
    }

    private static void write(FileChannel file, ByteBuffer source, int bytes) throws IOException {
        source.clear().limit(bytes);
        while (source.hasRemaining()) {
            file.write(source);
        }
    }

    private static void force(FileChannel file) {
        try {
            file.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }
}
