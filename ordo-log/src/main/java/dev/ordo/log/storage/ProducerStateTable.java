package dev.ordo.log.storage;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Per idempotent producer of one partition: its epoch and the last five batches it wrote (sequence
 * ranges and offsets), so that a retried batch is recognised as a duplicate (even after a restart, since
 * the table is rebuilt from the batches in the log), a zombie with an old epoch is fenced, and a
 * gap in sequence numbers is refused.
 */
final class ProducerStateTable {

    /** The last batch a producer wrote. */
    record Entry(short epoch, int firstSequence, int lastSequence, long firstOffset, long lastOffset) {}

    /** What to do with an incoming batch. */
    sealed interface Verdict {
        /** Write it. */
        record Append() implements Verdict {}

        /** It is a retry of the last batch: acknowledge with the offset it got then. */
        record Duplicate(long firstOffset) implements Verdict {}
    }

    /** As Kafka does, the last five batches are remembered, so up to five batches in flight can be retried. */
    static final int REMEMBERED_BATCHES = 5;

    private final Map<Long, ArrayDeque<Entry>> producers = new HashMap<>();

    /**
     * Checks a batch of {@code count} records from {@code producer} before it is written.
     *
     * @throws ProducerFencedException if a newer epoch of the producer already wrote
     * @throws OutOfOrderSequenceException if sequence numbers were skipped or a batch older than the last is retried
     */
    Verdict check(RecordBatch.Producer producer, int count) {
        if (producer.id() < 0) {
            return new Verdict.Append();
        }
        ArrayDeque<Entry> batches = producers.get(producer.id());
        Entry last = batches == null ? null : batches.peekLast();
        if (last == null) {
            if (producer.baseSequence() != 0) {
                throw new OutOfOrderSequenceException(
                        "producer " + producer.id() + " is unknown and starts at sequence " + producer.baseSequence()
                                + "; a new producer starts at 0");
            }
            return new Verdict.Append();
        }
        if (producer.epoch() < last.epoch()) {
            throw new ProducerFencedException("producer " + producer.id() + " epoch " + producer.epoch()
                    + " is fenced: epoch " + last.epoch() + " has written since");
        }
        if (producer.epoch() > last.epoch()) {
            if (producer.baseSequence() != 0) {
                throw new OutOfOrderSequenceException("producer " + producer.id() + " epoch " + producer.epoch()
                        + " must start at sequence 0, was " + producer.baseSequence());
            }
            return new Verdict.Append();
        }
        for (Entry e : batches) {
            if (producer.baseSequence() == e.firstSequence()
                    && producer.baseSequence() + count - 1 == e.lastSequence()) {
                return new Verdict.Duplicate(e.firstOffset());
            }
        }
        if (producer.baseSequence() != last.lastSequence() + 1) {
            throw new OutOfOrderSequenceException("producer " + producer.id() + " sent sequence "
                    + producer.baseSequence() + ", expected " + (last.lastSequence() + 1));
        }
        return new Verdict.Append();
    }

    /** Records a batch written to (or found in) the log. */
    void update(RecordBatch.Info info) {
        RecordBatch.Producer p = info.producer();
        if (p.id() < 0) {
            return;
        }
        ArrayDeque<Entry> batches = producers.computeIfAbsent(p.id(), id -> new ArrayDeque<>());
        Entry last = batches.peekLast();
        if (last != null && last.epoch() != p.epoch()) {
            batches.clear();
        }
        if (batches.size() == REMEMBERED_BATCHES) {
            batches.pollFirst();
        }
        batches.addLast(new Entry(
                p.epoch(),
                p.baseSequence(),
                p.baseSequence() + info.recordCount() - 1,
                info.baseOffset(),
                info.lastOffset()));
    }

    int size() {
        return producers.size();
    }
}
