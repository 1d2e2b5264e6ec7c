package dev.ordo.audit;

import java.util.Objects;

/**
 * The head of an audit chain after its first {@code entries} entries: publish it somewhere the
 * writer of the audit file cannot change (another system, a ticket, a signed mail) and the file can
 * no longer be cut short or rewritten from an earlier entry on without {@link AuditVerifier} saying so.
 * A trail writes one to its side file every {@link AuditTrail.Builder#checkpointEvery} entries and
 * returns one on demand ({@link AuditTrail#checkpoint()}).
 *
 * @param entries how many entries the chain had
 * @param head the hash of entry {@code entries - 1} (for 0 entries: the hash of the file header)
 */
public record AuditCheckpoint(long entries, byte[] head) {

    public AuditCheckpoint {
        if (entries < 0) {
            throw new IllegalArgumentException("entries must be >= 0, was " + entries);
        }
        Objects.requireNonNull(head, "head must not be null");
        if (head.length != AuditFormat.HASH_BYTES) {
            throw new IllegalArgumentException(
                    "head must hold " + AuditFormat.HASH_BYTES + " bytes, was " + head.length);
        }
        head = head.clone();
    }

    /**
     * Reads the form {@link #toString()} writes, {@code <entries> <head in hex>}.
     *
     * @throws IllegalArgumentException naming the text if it is not that form
     */
    public static AuditCheckpoint parse(String text) {
        String[] parts = text.strip().split(" ");
        if (parts.length != 2) {
            throw new IllegalArgumentException("checkpoint must be '<entries> <head in hex>', was '" + text + "'");
        }
        try {
            return new AuditCheckpoint(Long.parseLong(parts[0]), AuditFormat.unhex(parts[1]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "checkpoint must be '<entries> <head in hex>', was '" + text + "' (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public byte[] head() {
        return head.clone();
    }

    /** The head in lower-case hex. */
    public String headHex() {
        return AuditFormat.hex(head);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditCheckpoint c && c.entries == entries && java.util.Arrays.equals(c.head, head);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(entries) * 31 + java.util.Arrays.hashCode(head);
    }

    /** {@code <entries> <head in hex>}, the line of a checkpoints file. */
    @Override
    public String toString() {
        return entries + " " + headHex();
    }
}
