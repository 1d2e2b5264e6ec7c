package dev.ordo.bench.probe;

import dev.ordo.log.storage.Directories;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Without Ordo: how long a plain {@code write} of an appending file blocks while files are forced,
 * to tell the file system's behaviour from the log's. One thread appends 25 KiB chunks round-robin to
 * 8 new files at 300 MB/s for 3 s while the files are forced every 100 ms, and the largest
 * {@code write} time of each 100 ms is printed.
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.probe.ForceStallProbe \
 *      [together|in-turn] [prefill] [DIR]
 * </pre>
 *
 * {@code together} (the default) forces each file from a thread of its own at the same instants, as
 * the log's interval flushers do since they run on a shared grid; {@code in-turn} forces them one
 * after the other from one thread; {@code prefill} first writes and forces 64 MiB of zeros into each
 * file and then overwrites them from the start. On the benchmark VM (ext4): together,
 * writes blocked 12-24 ms between 0.4 and 0.7 s, then not; in turn, never above 3 ms; prefilled,
 * nothing until the writes passed the 64 MiB (at 1.8 s), then 22-26 ms: the stalls come with new
 * blocks being allocated while forces of other files run (BENCHMARKS.md, "Machine effects behind the tail").
 */
public final class ForceStallProbe {

    private static final int FILES = 8;
    private static final int CHUNK = 25 * 1024;
    private static final double BYTES_PER_SECOND = 300e6;
    private static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SLOTS = 30;
    private static final int PREFILL_MIB = 64;

    private ForceStallProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        boolean inTurn = options.contains("in-turn");
        boolean prefill = options.contains("prefill");
        Path parent = options.stream()
                .filter(a -> !a.equals("in-turn") && !a.equals("together") && !a.equals("prefill"))
                .findFirst()
                .map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir")));
        Path dir = Files.createTempDirectory(parent, "force-stall");
        List<RandomAccessFile> files = new ArrayList<>();
        ScheduledExecutorService forcing = Executors.newScheduledThreadPool(inTurn ? 1 : FILES);
        try {
            for (int i = 0; i < FILES; i++) {
                RandomAccessFile file =
                        new RandomAccessFile(dir.resolve("file-" + i).toFile(), "rw");
                files.add(file);
                if (prefill) {
                    byte[] mib = new byte[1 << 20];
                    for (int m = 0; m < PREFILL_MIB; m++) {
                        file.write(mib);
                    }
                    file.getChannel().force(false);
                    file.seek(0);
                }
            }
            if (inTurn) {
                forcing.scheduleAtFixedRate(
                        () -> files.forEach(ForceStallProbe::forceQuietly), 100, 100, TimeUnit.MILLISECONDS);
            } else {
                for (RandomAccessFile file : files) {
                    forcing.scheduleAtFixedRate(() -> forceQuietly(file), 100, 100, TimeUnit.MILLISECONDS);
                }
            }
            long[] slowest = appendPaced(files);
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%s%s: largest write per 100 ms (ms):",
                    inTurn ? "in turn" : "together",
                    prefill ? ", prefilled" : ""));
            for (long nanos : slowest) {
                line.append(' ').append(nanos / 1_000_000);
            }
            System.out.println(line);
        } finally {
            forcing.shutdown();
            forcing.awaitTermination(10, TimeUnit.SECONDS);
            for (RandomAccessFile file : files) {
                file.close();
            }
            Directories.deleteRecursively(dir);
        }
    }

    /** Appends round-robin at {@link #BYTES_PER_SECOND} for {@link #SLOTS} slots; returns the slowest write of each. */
    private static long[] appendPaced(List<RandomAccessFile> files) throws IOException {
        byte[] chunk = new byte[CHUNK];
        long[] slowest = new long[SLOTS];
        long begin = System.nanoTime();
        long written = 0;
        for (int i = 0; ; i++) {
            long due = begin + (long) (written / BYTES_PER_SECOND * 1e9);
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            int slot = (int) ((start - begin) / SLOT_NANOS);
            if (slot >= SLOTS) {
                return slowest;
            }
            files.get(i % files.size()).write(chunk);
            slowest[slot] = Math.max(slowest[slot], System.nanoTime() - start);
            written += CHUNK;
        }
    }

    /** Forces a file; a failure is printed (thrown, it would silently end the periodic task). */
    private static void forceQuietly(RandomAccessFile file) {
        try {
            file.getChannel().force(false);
        } catch (IOException e) {
            System.err.println("force failed: " + e);
        }
    }
}
