package dev.ordo.engine;

import java.time.Duration;
import java.util.List;

/**
 * Where a key's records, or one record, are in a running consumer and why they are held, as
 * {@link RecordConsumer#explain(String)} and {@link RecordConsumer#explain(int, long)} say it: the operator's
 * answer to "why has ACC-7 not moved?" or "why is ledger-3@1240 not handled?".
 *
 * <pre>{@code
 * key ACC-7: PARKED; ledger-3@1234 failed every attempt (5), the last with IllegalStateException: no such
 *   account; its key is parked (in progress for 42 s, retries included): resume or skip it; 7 later records ...
 * record ledger-3@1240 (key ACC-7): WAITING_BEHIND; it waits behind ledger-3@1234, the head of its key; ...
 * }</pre>
 *
 * @param key the key asked about; for a record, its key as text if the consumer holds the record (else null)
 * @param record for a record asked about, {@code topic-partition@offset}; null for a key
 * @param status the key's or the record's state in this consumer
 * @param head the key's record in progress, if it has one (for a record: itself if it is its key's head, or the
 *     head it waits behind)
 * @param reasons what holds it, one line each, most specific first
 */
public record Explanation(String key, String record, Status status, KeyInFlight head, List<String> reasons) {

    /** The key's or the record's state in this consumer. */
    public enum Status {
        /** Its head record's handler runs (the record asked about is that head). */
        RUNNING,
        /** Its head record failed and is being tried again. */
        RETRYING,
        /** Its head record failed every attempt and the key waits for an operator's resume or skip. */
        PARKED,
        /**
         * It waits behind another record: for a key, behind another key's record (a shared partition under
         * {@code PARTITION} ordering); for a record, behind the head of its key (its partition, under
         * {@code PARTITION} ordering).
         */
        WAITING_BEHIND,
        /** Nothing of the key is in flight here: handled, not fetched yet, or in a partition owned elsewhere. */
        NOT_IN_FLIGHT,
        /** The record is done: below the commit point, or finished beyond it while an earlier one holds it. */
        HANDLED,
        /** The record is fetched and nothing of its key runs: it waits for a handler thread (or the rate limit). */
        WAITING_FOR_SLOT,
        /** The record is in the log and not handed to the handlers yet: lag, or fetching paused at maxInFlight. */
        NOT_FETCHED,
        /** The record's partition waits behind a partition fence (its keys' earlier records elsewhere). */
        FENCED,
        /** The record's partition is not owned by this consumer now (another member's, or no such partition). */
        NOT_OWNED,
        /** The record's offset is at or past its partition's end as this consumer knows it: not appended yet. */
        BEYOND_END
    }

    public Explanation {
        reasons = List.copyOf(reasons);
    }

    /** An explanation of a key. */
    public Explanation(String key, Status status, KeyInFlight head, List<String> reasons) {
        this(key, null, status, head, reasons);
    }

    /** How long the key's head has been in progress; zero when nothing is. */
    public Duration since() {
        return head == null ? Duration.ZERO : head.since();
    }

    @Override
    public String toString() {
        String subject = record == null ? "key " + key : "record " + record + (key == null ? "" : " (key " + key + ")");
        return subject + ": " + status + (reasons.isEmpty() ? "" : "; " + String.join("; ", reasons));
    }
}
