package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the engine under running clients: they fail clearly and stop, nothing hangs, no thread dies loose. */
class ClosingUnderClientsTest {

    @TempDir
    Path data;

    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previous;

    @BeforeEach
    void watchUncaught() {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
    }

    @AfterEach
    void restore() {
        Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    @Test
    void aProducerSendingWhileTheLogClosesFailsItsPendingSendsWithTheCauseAndStops() throws Exception {
        EmbeddedLog log = EmbeddedLog.open(data);
        log.createTopic("t", TopicSpec.partitions(2));
        OrdoProducer<String, String> producer = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                .linger(Duration.ofHours(1)) // what is sent waits in its batch: pending when the log closes
                .build();
        List<CompletableFuture<Acknowledgement>> pending = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pending.add(producer.send("k" + i, "v" + i));
        }
        log.close();
        producer.close(Duration.ofSeconds(10));

        for (CompletableFuture<Acknowledgement> ack : pending) {
            assertThatThrownBy(() -> ack.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is closed");
        }
        assertThatThrownBy(() -> producer.send("k", "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThat(uncaught).isEmpty();
    }

    @Test
    void aConsumerWhoseLogClosesStopsAndSaysWhy() throws Exception {
        EmbeddedLog log = EmbeddedLog.open(data);
        log.createTopic("t", TopicSpec.partitions(2));
        AtomicInteger handled = new AtomicInteger();
        OrdoConsumer<String, String> consumer = OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                .group("g")
                .handler(r -> handled.incrementAndGet())
                .start();
        try (OrdoProducer<String, String> producer =
                OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string()).build()) {
            producer.send("k", "v").join();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() == 1);
        log.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.failure().isPresent());
        assertThat(consumer.failure().get())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(1)))
                .as("a failed consumer is not waited on")
                .isFalse();
        consumer.close(Duration.ofSeconds(10)); // no commit possible: logged, not thrown
        assertThat(uncaught).isEmpty();
    }
}
