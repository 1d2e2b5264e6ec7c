package dev.ordo.engine;

import java.time.Duration;
import java.util.List;

/**
 * Where a key's records are in a running consumer and why they are held, as
 * {@link RecordConsumer#explain(String)} says it: the operator's answer to "why has ACC-7 not moved?".
 *
 * <pre>{@code
 * key ACC-7: PARKED at ledger-3@1234 for 42 s after 5 attempts (IllegalStateException: no such account);
 *   7 records wait behind it; resume or skip it
 * }</pre>
 *
 * @param key the key asked about
 * @param status the key's state in this consumer
 * @param head the key's record in progress, if it has one
 * @param reasons what holds it, one line each, most specific first
 */
public record Explanation(String key, Status status, KeyInFlight head, List<String> reasons) {

    /** The key's state in this consumer. */
    public enum Status {
        /** Its head record's handler runs. */
        RUNNING,
        /** Its head record failed and is being tried again. */
        RETRYING,
        /** Its head record failed every attempt and the key waits for an operator's resume or skip. */
        PARKED,
        /** Its records wait behind another key's record (a shared partition under {@code PARTITION} ordering). */
        WAITING_BEHIND,
        /** Nothing of the key is in flight here: handled, not fetched yet, or in a partition owned elsewhere. */
        NOT_IN_FLIGHT
    }

    public Explanation {
        reasons = List.copyOf(reasons);
    }

    /** How long the key's head has been in progress; zero when nothing is. */
    public Duration since() {
        return head == null ? Duration.ZERO : head.since();
    }

    @Override
    public String toString() {
        return "key " + key + ": " + status + (reasons.isEmpty() ? "" : "; " + String.join("; ", reasons));
    }
}
