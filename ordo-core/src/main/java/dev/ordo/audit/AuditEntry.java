package dev.ordo.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One entry of an audit file: one handling of one record, as the {@link AuditVerifier} reads it back.
 * Entries are numbered from 0 in the order they were appended; {@code predecessor} is the index of
 * the entry of the same key before this one, so following it walks a key's history backwards.
 *
 * @param index this entry's position in the chain, from 0
 * @param handledAt when the handler returned or threw (wall clock, milliseconds)
 * @param outcome handled, failed or skipped
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 * @param key the key's bytes, or null for a record without a key
 * @param source the record's source ({@code ordo.source} header), or null
 * @param sequence its sequence number in that source ({@code ordo.seq} header), or -1
 * @param predecessor the index of the previous entry of the same key: {@link #NO_PREDECESSOR} for the key's
 *     first entry (and for records without a key), {@link #UNKNOWN_PREDECESSOR} when the writer no longer
 *     remembered the key (its key table is bounded)
 * @param detail the exception's class name for a failure, the reason for a skip, else null
 * @param hash this entry's hash, the SHA-256 of its bytes, the previous entry's hash first
 */
public record AuditEntry(
        long index,
        Instant handledAt,
        AuditOutcome outcome,
        String topic,
        int partition,
        long offset,
        byte[] key,
        String source,
        long sequence,
        long predecessor,
        String detail,
        byte[] hash) {

    /** The key's first entry, or a record without a key. */
    public static final long NO_PREDECESSOR = -1;

    /** The writer had forgotten the key (more keys than its key table holds) when it appended this entry. */
    public static final long UNKNOWN_PREDECESSOR = -2;

    /** The key as text (its bytes as UTF-8), or null. */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** This entry's hash in lower-case hex. */
    public String hashHex() {
        return AuditFormat.hex(hash);
    }

    /** One line: {@code #12 HANDLED orders-3@57 key=ACC-1 after #9 source=teller-1/41 at 2026-...}. */
    @Override
    public String toString() {
        StringBuilder line = new StringBuilder()
                .append('#')
                .append(index)
                .append(' ')
                .append(outcome)
                .append(detail == null ? "" : " (" + detail + ")")
                .append(' ')
                .append(topic)
                .append('-')
                .append(partition)
                .append('@')
                .append(offset)
                .append(" key=")
                .append(key == null ? "null" : keyText());
        if (predecessor >= 0) {
            line.append(" after #").append(predecessor);
        } else if (predecessor == UNKNOWN_PREDECESSOR) {
            line.append(" after ?");
        }
        if (source != null) {
            line.append(" source=").append(source).append('/').append(sequence);
        }
        return line.append(" at ").append(handledAt).toString();
    }
}
