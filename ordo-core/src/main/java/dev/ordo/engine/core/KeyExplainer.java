package dev.ordo.engine.core;

import dev.ordo.engine.Explanation;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.Lag;
import dev.ordo.engine.Ordering;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Says where a key's records are in a consumer and what holds them ({@link Explanation}), from a snapshot of
 * the keys in flight and the consumer's fetch state. A snapshot: by the time an operator reads it the key may
 * have moved on.
 */
final class KeyExplainer {

    /** Heads listed when a key may wait behind one of them (under PARTITION ordering). */
    private static final int HEADS_SHOWN = 5;

    private KeyExplainer() {}

    static Explanation explain(
            String key,
            Ordering ordering,
            List<KeyInFlight> heads,
            Set<Integer> assignment,
            RecordDispatcher<?, ?> dispatcher,
            Lag lag,
            Map<Integer, String> fenceHolds) {
        for (KeyInFlight head : heads) {
            if (Objects.equals(head.key(), key)) {
                return atHead(key, head);
            }
        }
        List<String> reasons = new ArrayList<>();
        reasons.add("no record of key " + key + " is in progress in this consumer");
        if (ordering == Ordering.PARTITION && !heads.isEmpty()) {
            StringBuilder line = new StringBuilder(
                    "under PARTITION ordering its records wait behind their partition's head; the oldest heads: ");
            heads.stream().limit(HEADS_SHOWN).forEach(h -> line.append(h).append(" | "));
            line.setLength(line.length() - 3);
            reasons.add(line.toString());
        }
        fenceHolds.forEach((partition, why) -> reasons.add("partition " + partition + " is fenced: " + why));
        dispatcher.stall().ifPresent(reasons::add);
        if (dispatcher.full()) {
            reasons.add("fetching is paused: " + dispatcher.inFlight() + " records are in flight (maxInFlight "
                    + dispatcher.maxInFlight() + ")");
        }
        if (assignment.isEmpty()) {
            reasons.add("this consumer owns no partition now; another member of the group may own the key's");
        } else if (lag.records() > 0) {
            reasons.add("partitions " + assignment + " are " + lag.records() + " records behind their end (oldest "
                    + lag.time().toMillis() + " ms old): its records may not be fetched yet");
        } else if (lag.records() == 0) {
            reasons.add("partitions " + assignment + " are handled to their end: its records so far are handled,"
                    + " or in a partition owned elsewhere");
        }
        return new Explanation(key, Explanation.Status.NOT_IN_FLIGHT, null, reasons);
    }

    private static Explanation atHead(String key, KeyInFlight head) {
        List<String> reasons = new ArrayList<>();
        reasons.add(heldBecause(head));
        if (head.waitingBehind() > 0) {
            reasons.add(head.waitingBehind() + " later records wait behind it");
        }
        return new Explanation(key, status(head), head, reasons);
    }

    /** A key's state as its head's. */
    static Explanation.Status status(KeyInFlight head) {
        return switch (head.state()) {
            case RUNNING -> Explanation.Status.RUNNING;
            case RETRYING -> Explanation.Status.RETRYING;
            case PARKED -> Explanation.Status.PARKED;
        };
    }

    /** What a key's head record is doing and what it waits for, one line. */
    static String heldBecause(KeyInFlight head) {
        String record = head.topic() + "-" + head.partition() + "@" + head.offset();
        return switch (head.state()) {
            case RUNNING ->
                record + " is being handled for " + head.since().toMillis() + " ms (attempt " + head.attempts() + ")";
            case RETRYING ->
                record + " is failing: attempt " + head.attempts() + ", the last error " + head.lastError()
                        + "; it is tried again by the retry policy";
            case PARKED ->
                record + " failed every attempt (" + head.attempts() + "), the last with "
                        + head.lastError() + "; its key is parked (in progress for "
                        + head.since().toSeconds()
                        + " s, retries included): resume or skip it";
        };
    }
}
