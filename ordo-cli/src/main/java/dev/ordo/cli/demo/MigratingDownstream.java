package dev.ordo.cli.demo;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Directories;
import dev.ordo.migrate.TopicMigration;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The ledger while its topic moves ({@code ordo demo migrate}): operations start on the embedded engine
 * (topic of 8 partitions, a consumer group applying them); after a third of them the topic moves to Kafka
 * with the producer sending and the group running ({@link TopicMigration#fromEmbedded}); after two thirds
 * the Kafka topic is re-partitioned 8 -> 3 the same way ({@link TopicMigration#fromKafka}). The ledger lives
 * in this process; each move hands the group over once it has applied the old tail, so every operation is
 * applied once, in order per account.
 */
final class MigratingDownstream implements ConsumerBacked {

    private static final Duration HAND_OVER = Duration.ofSeconds(60);

    private final String bootstrap;
    private final int threads;
    private final BiConsumer<Ledger, Txn> apply;
    private final PrintWriter progress;
    private final Path dir;
    private final EmbeddedLog log;
    private final String topic =
            "ordo-demo-migrate-" + UUID.randomUUID().toString().substring(0, 8);
    private final Ledger ledger = new Ledger();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final long[] moveAt;
    private final CountDownLatch[] reached = {new CountDownLatch(1), new CountDownLatch(1)};
    /** Sends hold it for reading; swapping the producer holds it for writing. */
    private final ReentrantReadWriteLock swapping = new ReentrantReadWriteLock();

    private final Thread mover;
    private volatile Throwable moveFailure;
    private volatile RecordProducer<String, String> producer;
    private volatile RecordConsumer consumer;
    private volatile CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private TopicMigration toKafka;
    private TopicMigration repartition;

    /** A backend on the cluster at {@code bootstrapServers}, moving after {@code operations} / 3 and * 2 / 3. */
    static Backend backend(String bootstrapServers, long operations, PrintWriter progress) {
        return new Backend(
                "migrate",
                (threads, registry, apply) ->
                        new MigratingDownstream(bootstrapServers, operations, threads, apply, progress));
    }

    private MigratingDownstream(
            String bootstrap, long operations, int threads, BiConsumer<Ledger, Txn> apply, PrintWriter progress)
            throws IOException {
        this.bootstrap = bootstrap;
        this.threads = threads;
        this.apply = apply;
        this.progress = progress;
        this.moveAt = new long[] {Math.max(1, operations / 3), Math.max(2, operations * 2 / 3)};
        this.dir = Files.createTempDirectory("ordo-migrate-demo-");
        this.log = EmbeddedLog.open(dir);
        try {
            log.createTopic(topic, TopicSpec.partitions(8));
            consumer = OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                    .group("balances")
                    .ordering(Ordering.KEY)
                    .concurrency(threads)
                    .handler(r -> applied(r.value()))
                    .start();
            toKafka = TopicMigration.fromEmbedded(log, topic).toKafka(bootstrap).start();
            producer = toKafka.producer(Serdes.string(), Serdes.string());
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        this.mover = new Thread(this::move, "ledger-mover");
        mover.setDaemon(true);
        mover.start();
    }

    private void applied(String value) {
        apply.accept(ledger, Txn.decode(value));
        handled.incrementAndGet();
    }

    /** Moves the topic to Kafka, then re-partitions it, each when its share of operations was sent. */
    private void move() {
        try {
            reached[0].await();
            long start = System.nanoTime();
            TopicMigration.Fence fence = toKafka.switchOver();
            long switched = System.nanoTime();
            consumer = toKafka.handOver("balances", List.of(consumer), () -> kafkaConsumer(topic), HAND_OVER)
                    .get(0);
            say(
                    "moved to Kafka topic %s after %,d operations: backlog copied while sending, switch in %d ms"
                            + " (producer paused %d ms), group handed over in %d ms; fence %s -> %s",
                    topic,
                    moveAt[0],
                    millis(switched - start),
                    toKafka.lastPause().toMillis(),
                    millis(System.nanoTime() - switched),
                    fence.sourceEnds(),
                    fence.targetEnds());
            repartition = TopicMigration.fromKafka(bootstrap, topic)
                    .targetTopic(topic + "-3")
                    .partitions(3)
                    .start();
            swapProducer(repartition.producer(Serdes.string(), Serdes.string()));

            reached[1].await();
            start = System.nanoTime();
            fence = repartition.switchOver();
            switched = System.nanoTime();
            consumer = repartition
                    .handOver("balances", List.of(consumer), () -> kafkaConsumer(topic + "-3"), HAND_OVER)
                    .get(0);
            say(
                    "re-partitioned 8 -> 3 into %s after %,d operations: switch in %d ms (producer paused %d ms),"
                            + " group handed over in %d ms; fence %s -> %s",
                    topic + "-3",
                    moveAt[1],
                    millis(switched - start),
                    repartition.lastPause().toMillis(),
                    millis(System.nanoTime() - switched),
                    fence.sourceEnds(),
                    fence.targetEnds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            moveFailure = e;
            say("the move failed: %s", e);
        }
    }

    private KafkaOrdoConsumer.Builder<String, String> kafkaConsumer(String name) {
        return KafkaOrdoConsumer.builder(bootstrap, name, Serdes.string(), Serdes.string())
                .group("balances")
                .ordering(Ordering.KEY)
                .concurrency(threads)
                .handler(r -> applied(r.value()));
    }

    /** Sends go to {@code next} from now on, after every send to the old producer is acknowledged. */
    private void swapProducer(RecordProducer<String, String> next) {
        RecordProducer<String, String> old;
        swapping.writeLock().lock();
        try {
            old = producer;
            old.flush();
            producer = next;
        } finally {
            swapping.writeLock().unlock();
        }
        old.close();
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public void submit(Txn txn) {
        long n = submitted.incrementAndGet();
        swapping.readLock().lock();
        try {
            lastSend = producer.send(txn.account(), txn.encode());
        } finally {
            swapping.readLock().unlock();
        }
        for (int i = 0; i < moveAt.length; i++) {
            if (n == moveAt[i]) {
                reached[i].countDown();
            }
        }
    }

    @Override
    public void checkpoint(Supplier<Map<String, Long>> resequencer) {
        RecordProducer<String, String> current = producer;
        current.flush();
        lastSend.join(); // a failed send fails the run here instead of going unnoticed
    }

    @Override
    public Map<String, Long> restoredCheckpoint() {
        return Map.of();
    }

    @Override
    public void awaitApplied(Map<String, Long> lastSequencePerAccount) throws TimeoutException {
        reached[0].countDown(); // the run's end: both moves happen now if the run did not reach them
        reached[1].countDown();
        try {
            mover.join(TimeUnit.SECONDS.toMillis(120));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (mover.isAlive() || moveFailure != null) {
            throw new IllegalStateException("the topic's moves did not finish", moveFailure);
        }
        producer.flush();
        LedgerDownstream.awaitApplied(ledger, lastSequencePerAccount, handled::get, submitted::get, this::parked);
    }

    @Override
    public RecordConsumer consumer() {
        return consumer;
    }

    @Override
    public void close() throws IOException {
        try {
            if (producer != null) {
                producer.close();
            }
            if (consumer != null) {
                consumer.close();
            }
            if (repartition != null) {
                repartition.close();
            }
            if (toKafka != null) {
                toKafka.close();
            }
            try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap)) {
                for (String name : List.of(topic, topic + "-3")) {
                    if (admin.exists(name)) {
                        admin.deleteTopic(name);
                    }
                }
            }
        } finally {
            log.close();
            Directories.deleteRecursively(dir);
        }
    }

    private void say(String format, Object... args) {
        progress.println(System.lineSeparator() + String.format(Locale.ROOT, format, args)); // below the bar
        progress.flush();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
