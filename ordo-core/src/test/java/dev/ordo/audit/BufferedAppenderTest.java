package dev.ordo.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full buffers are written outside the writer's lock, and still in the order they filled. */
class BufferedAppenderTest {

    @TempDir
    Path dir;

    /** Appends 100-byte entries of {@code value} until one hands the buffer off; returns what it appended. */
    private static byte[] fillUntilHandOff(BufferedAppender appender, byte value) throws Exception {
        ByteArrayOutputStream appended = new ByteArrayOutputStream();
        byte[] entry = new byte[100];
        Arrays.fill(entry, value);
        while (true) {
            boolean handedOff = appender.append(entry, entry.length);
            appended.write(entry);
            if (handedOff) {
                return appended.toByteArray();
            }
        }
    }

    @Test
    void aHandOffWaitsForTheWriteOfTheOneBeforeSoTheFileKeepsTheirOrder() throws Exception {
        Path file = dir.resolve("a.audit");
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            BufferedAppender appender = new BufferedAppender(out, 0);
            byte[] first = fillUntilHandOff(appender, (byte) 1); // handed off, not written yet
            AtomicReference<Thread> next = new AtomicReference<>();
            CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> {
                next.set(Thread.currentThread());
                try {
                    byte[] appended = fillUntilHandOff(appender, (byte) 2);
                    appender.writeHandedOff();
                    return appended;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            second.isDone() || (next.get() != null && next.get().getState() == Thread.State.WAITING));

            appender.writeHandedOff();
            byte[] secondAppended = second.get(10, TimeUnit.SECONDS);
            appender.force();

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(first);
            expected.write(secondAppended);
            assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
        }
    }
}
