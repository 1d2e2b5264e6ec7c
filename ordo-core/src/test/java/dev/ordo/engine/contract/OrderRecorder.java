package dev.ordo.engine.contract;

import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordHandler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A replica's handler in {@link TotalOrderContract}: appends a line {@code "value partition"} per handled
 * record to its file, in the order handled (a record without a value, which only a heartbeat is, as
 * {@code "null"}), so that the test reads each process's order from its file. A recorder made held handles
 * nothing until {@link #release()}d (at most 40 s), so that its consumer handles a backlog.
 */
public final class OrderRecorder implements RecordHandler<String, String>, AutoCloseable {

    private final Path file;
    private final BufferedWriter out;
    private final CountDownLatch released;
    private int count;

    public OrderRecorder(Path file, boolean held) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.released = new CountDownLatch(held ? 1 : 0);
    }

    @Override
    public void handle(OrdoRecord<String, String> record) throws IOException, InterruptedException {
        if (!released.await(40, TimeUnit.SECONDS)) {
            throw new IllegalStateException("held recorder of " + file + " not released within 40 s");
        }
        synchronized (this) {
            out.write(record.value() + " " + record.partition());
            out.newLine();
            count++;
            notifyAll();
        }
    }

    /** Lets a held recorder handle records. */
    public void release() {
        released.countDown();
    }

    /**
     * Waits until {@code records} were handled, at most {@code timeout}, then writes what was handled out;
     * returns how many were.
     */
    public synchronized int await(int records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < records && System.nanoTime() < deadline) {
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    /** The lines of a recorder's file. */
    public static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
