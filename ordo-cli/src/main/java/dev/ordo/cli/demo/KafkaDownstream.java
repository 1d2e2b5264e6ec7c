package dev.ordo.cli.demo;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The ledger on Apache Kafka: released operations go through a {@link KafkaOrdoProducer} to a topic
 * of 8 partitions made for this run ({@code ordo-demo-ledger-<id>}, deleted afterwards), keyed by
 * account; a {@link KafkaOrdoConsumer} in {@code KEY} order applies them, parallel across accounts
 * and serially per account. The ledger lives in this process: a run starts from empty balances, so
 * there is no {@code --crash} on Kafka (the engine's committed state is what makes that work).
 */
final class KafkaDownstream implements ConsumerBacked {

    private static final int PARTITIONS = 8;

    private final KafkaOrdoAdmin admin;
    private final String topic;
    private final Ledger ledger = new Ledger();
    private final KafkaOrdoProducer<String, String> producer;
    private final KafkaOrdoConsumer<String, String> consumer;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private volatile CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    /** A backend on the cluster at {@code bootstrapServers}. */
    static Backend backend(String bootstrapServers) {
        return new Backend(
                "kafka", (threads, registry, apply) -> new KafkaDownstream(bootstrapServers, threads, registry, apply));
    }

    private KafkaDownstream(
            String bootstrapServers, int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) {
        this.admin = KafkaOrdoAdmin.create(bootstrapServers);
        this.topic = "ordo-demo-ledger-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaOrdoProducer<String, String> opened = null;
        try {
            admin.createTopic(topic, PARTITIONS, (short) -1);
            opened = KafkaOrdoProducer.builder(bootstrapServers, topic, Serdes.string(), Serdes.string())
                    .build();
            this.consumer = KafkaOrdoConsumer.builder(bootstrapServers, topic, Serdes.string(), Serdes.string())
                    .group(topic + "-balances")
                    .ordering(Ordering.KEY)
                    .concurrency(threads)
                    .maxInFlight(10_000)
                    .metrics(registry)
                    .handler(r -> {
                        apply.accept(ledger, Txn.decode(r.value()));
                        handled.incrementAndGet();
                    })
                    .start();
            this.producer = opened;
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            admin.close();
            throw e;
        }
    }

    /** The topic this run uses. */
    String topic() {
        return topic;
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public void submit(Txn txn) {
        submitted.incrementAndGet();
        lastSend = producer.send(txn.account(), txn.encode());
    }

    @Override
    public void checkpoint(Supplier<Map<String, Long>> resequencer) {
        producer.flush();
        lastSend.join(); // a failed send fails the run here instead of going unnoticed
    }

    @Override
    public Map<String, Long> restoredCheckpoint() {
        return Map.of();
    }

    @Override
    public void awaitApplied(Map<String, Long> lastSequencePerAccount) throws TimeoutException {
        producer.flush();
        LedgerDownstream.awaitApplied(ledger, lastSequencePerAccount, handled::get, submitted::get, this::parked);
    }

    @Override
    public RecordConsumer consumer() {
        return consumer;
    }

    @Override
    public void close() {
        try (admin) {
            producer.close();
            consumer.close();
            admin.deleteTopic(topic);
        }
    }
}
