package dev.ordo.engine;

import dev.ordo.OrdoInterruptedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the records of a dead-letter topic back to the topic they failed in, <b>in each key's order</b>, on
 * either engine: the dead-letter topic is read by a consumer group of its own under {@link Ordering#KEY}, so a
 * key's records go back one at a time in the order they were dead-lettered (their original order); and, given
 * the live consumer of the original topic, each waits until that consumer has nothing of its key in flight
 * (no record running, retrying or parked), so a redriven record never overtakes one of its key still being
 * handled. Dead-letter topics lag behind their key, and tools that redrive by copying (kafka-ui, Redpanda
 * Console) mix keys up; this keeps each key's sequence.
 *
 * <pre>{@code
 * try (DeadLetterRedrive redrive = DeadLetterRedrive.builder(
 *                 OrdoConsumer.builder(log, "ledger.dlq", Serdes.bytes(), Serdes.bytes()),
 *                 OrdoProducer.builder(log, "ledger", Serdes.bytes(), Serdes.bytes()).build())
 *         .waitForClear(liveConsumer)
 *         .start()) {
 *     redrive.awaitDone(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>At least once: the redrive group commits a dead-letter record after its copy is acknowledged, so a crash
 * in between sends it again; the copy keeps the record's own headers (a sequence header lets a
 * {@code Resequencer} drop the repeat) without the dead-letter ones, and adds {@value #REDRIVEN_FROM}
 * ({@code dlqTopic/partition/offset}). Records that failed in another topic, or carry no origin, are left
 * alone (counted), and so is a record that was redriven once and dead-lettered again: it waits for a
 * person instead of circling between the two topics.
 */
public final class DeadLetterRedrive implements AutoCloseable {

    /** The header a redriven copy carries: where in the dead-letter topic it came from. */
    public static final String REDRIVEN_FROM = "ordo.redriven.from";

    private static final Set<String> DEAD_LETTER_HEADERS = Set.of(
            OrdoHeaders.DEAD_LETTER_ERROR,
            OrdoHeaders.DEAD_LETTER_ATTEMPTS,
            OrdoHeaders.ORIGIN_TOPIC,
            OrdoHeaders.ORIGIN_PARTITION,
            OrdoHeaders.ORIGIN_OFFSET);
    /** How often a record waiting for its key looks again (each look is one pass over the busy keys). */
    private static final long CLEAR_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RecordProducer<byte[], byte[]> target;
    private final RecordConsumer live;
    private final Duration maxWaitForClear;
    private final LongAdder redriven = new LongAdder();
    private final LongAdder otherTopics = new LongAdder();
    private final LongAdder failedAgain = new LongAdder();
    private final RecordConsumer reader;

    private DeadLetterRedrive(Builder b) {
        this.target = b.target;
        this.live = b.live;
        this.maxWaitForClear = b.maxWaitForClear;
        try {
            this.reader = b.deadLetters
                    .group(b.group != null ? b.group : "ordo-redrive-" + b.target.topic())
                    .ordering(Ordering.KEY)
                    .concurrency(b.concurrency)
                    .handler(this::redrive)
                    .start();
        } catch (RuntimeException e) {
            b.target.close(); // the redrive owns it, and will not run
            throw e;
        }
    }

    /**
     * A redrive of what {@code deadLetters} (a builder of the dead-letter topic's consumer, group and handler
     * not set) reads, back through {@code target} (a producer of the original topic, which the redrive closes).
     */
    public static Builder builder(
            ConsumerBuilder<?, byte[], byte[]> deadLetters, RecordProducer<byte[], byte[]> target) {
        return new Builder(deadLetters, target);
    }

    private void redrive(OrdoRecord<byte[], byte[]> record) throws Exception {
        String origin = record.headers().lastString(OrdoHeaders.ORIGIN_TOPIC);
        if (origin == null || !origin.equals(target.topic())) {
            otherTopics.increment(); // not a dead letter of that topic (or no dead letter at all)
            return;
        }
        if (record.headers().lastValue(REDRIVEN_FROM) != null) {
            failedAgain.increment(); // sent back once and dead-lettered again: left for a person, never a loop
            return;
        }
        if (live != null && record.key() != null) {
            awaitClear(new String(record.key(), StandardCharsets.UTF_8));
        }
        Headers headers = Headers.empty();
        for (Header h : record.headers()) {
            if (!DEAD_LETTER_HEADERS.contains(h.key())) {
                headers = headers.with(h.key(), h.value());
            }
        }
        headers = headers.with(REDRIVEN_FROM, record.topic() + "/" + record.partition() + "/" + record.offset());
        target.send(new OutgoingRecord<>(record.key(), record.value(), headers, OutgoingRecord.NO_TIMESTAMP))
                .join();
        redriven.increment();
    }

    /**
     * Waits until the live consumer has nothing of {@code key} in flight; fails the attempt (the redrive
     * group retries or parks it, as configured) if that takes longer than {@code maxWaitForClear}.
     */
    private void awaitClear(String key) {
        long deadline = System.nanoTime() + maxWaitForClear.toNanos();
        while (live.explain(key).status() != Explanation.Status.NOT_IN_FLIGHT) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("key " + key + " is still in flight in the consumer of " + live.topic()
                        + " after " + maxWaitForClear + ": " + live.explain(key));
            }
            LockSupport.parkNanos(CLEAR_LOOK_NANOS);
            if (Thread.interrupted()) {
                throw new OrdoInterruptedException(
                        "interrupted while waiting for key " + key + " to clear", new InterruptedException());
            }
        }
    }

    /** Records sent back so far. */
    public long redriven() {
        return redriven.sum();
    }

    /** Records left alone because they are not dead letters of the target topic. */
    public long otherTopics() {
        return otherTopics.sum();
    }

    /** Records left alone because they were redriven once already and failed again. */
    public long failedAgain() {
        return failedAgain.sum();
    }

    /**
     * Whether everything in the dead-letter topic so far is redriven or left alone: the reader owns its
     * partitions and has handled them to their end, or it stopped for good ({@code reader().failure()}).
     */
    public boolean done() {
        return reader.failure().isPresent()
                || (!reader.assignment().isEmpty() && reader.lag().caughtUp());
    }

    /** The dead-letter topic's reader: its lag is what is left to redrive, its parked records what cannot go back yet. */
    public RecordConsumer reader() {
        return reader;
    }

    /**
     * Waits until every record in the dead-letter topic so far is redriven (or left alone).
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return reader.awaitCaughtUp(timeout);
    }

    /** Stops reading (what is redriven so far is committed) and closes the target producer. */
    @Override
    public void close() {
        try {
            reader.close();
        } finally {
            target.close();
        }
    }

    /** Configures a {@link DeadLetterRedrive}. */
    public static final class Builder {
        private final ConsumerBuilder<?, byte[], byte[]> deadLetters;
        private final RecordProducer<byte[], byte[]> target;
        private RecordConsumer live;
        private String group;
        private int concurrency = 4;
        private Duration maxWaitForClear = Duration.ofMinutes(5);

        private Builder(ConsumerBuilder<?, byte[], byte[]> deadLetters, RecordProducer<byte[], byte[]> target) {
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters must not be null");
            this.target = Objects.requireNonNull(target, "target must not be null");
        }

        /** The original topic's running consumer: a key goes back only once it has nothing of the key in flight. */
        public Builder waitForClear(RecordConsumer live) {
            this.live = Objects.requireNonNull(live, "live must not be null");
            if (!live.topic().equals(target.topic())) {
                throw new IllegalArgumentException("waitForClear needs the consumer of " + target.topic()
                        + ", the topic redriven to, was one of " + live.topic());
            }
            return this;
        }

        /** The redrive's consumer group (default {@code ordo-redrive-<topic>}): a second run goes on from its commit. */
        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group must not be null");
            return this;
        }

        /** Keys redriven at once (default 4); each key's records still go back one at a time. */
        public Builder concurrency(int concurrency) {
            this.concurrency = dev.ordo.Arguments.atLeast("concurrency", concurrency, 1);
            return this;
        }

        /** How long one record waits for its key to clear before its attempt fails (default 5 min). */
        public Builder maxWaitForClear(Duration maxWaitForClear) {
            this.maxWaitForClear = dev.ordo.Arguments.positive("maxWaitForClear", maxWaitForClear);
            return this;
        }

        /** Starts reading the dead-letter topic and sending its records back. */
        public DeadLetterRedrive start() {
            return new DeadLetterRedrive(this);
        }
    }
}
