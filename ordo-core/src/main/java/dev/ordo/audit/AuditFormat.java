package dev.ordo.audit;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of an audit file, version 1 ({@code docs/audit.md} describes them): a 36-byte header,
 * then entries back to back, each {@code length, body, SHA-256(body)}, the body beginning with the
 * previous entry's hash (for entry 0 the header's). All integers big-endian.
 */
final class AuditFormat {

    static final byte[] MAGIC = "ORDOAUDT".getBytes(StandardCharsets.US_ASCII);
    static final short VERSION = 1;
    static final int HEADER_BYTES = 8 + 2 + 2 + 8 + 16;
    static final int HASH_BYTES = 32;
    /** prevHash, index, predecessor, handledAt, outcome, partition, offset, sequence, four lengths. */
    static final int FIXED_BODY_BYTES = HASH_BYTES + 8 + 8 + 8 + 1 + 4 + 8 + 8 + 4 * 4;

    static final int MIN_ENTRY_LENGTH = FIXED_BODY_BYTES + HASH_BYTES;
    /** Keys beyond this are refused; a length beyond {@link #MAX_ENTRY_LENGTH} can only be damage. */
    static final int MAX_KEY_BYTES = 1 << 20;

    static final int MAX_TEXT_BYTES = 1 << 16;
    static final int MAX_ENTRY_LENGTH = MIN_ENTRY_LENGTH + MAX_KEY_BYTES + 3 * MAX_TEXT_BYTES;

    private static final HexFormat HEX = HexFormat.of();

    private AuditFormat() {}

    /** A new SHA-256 digest (every JDK has one). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** A file's header: magic, version, flags (0), creation time, the chain's random id. */
    static byte[] header(long createdAtMillis, byte[] chainId) {
        return ByteBuffer.allocate(HEADER_BYTES)
                .put(MAGIC)
                .putShort(VERSION)
                .putShort((short) 0)
                .putLong(createdAtMillis)
                .put(chainId)
                .array();
    }

    /**
     * Checks a header read from {@code file}.
     *
     * @throws IllegalArgumentException naming the file if it is not a version-1 audit file
     */
    static void checkHeader(byte[] header, Object file) {
        if (header.length < HEADER_BYTES || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException(file + " is not an Ordo audit file (no 'ORDOAUDT' header)");
        }
        short version = ByteBuffer.wrap(header).getShort(MAGIC.length);
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    file + " is an audit file of version " + version + ", this reader knows version " + VERSION);
        }
    }

    /** The hash entry 0 links to: the header's, so that the header cannot change unseen either. */
    static byte[] genesis(byte[] header) {
        return sha256().digest(header);
    }

    /** What an entry holds before it has a place in the chain: everything but index, predecessor and hashes. */
    record Pending(
            long handledAtMillis,
            AuditOutcome outcome,
            byte[] topic,
            int partition,
            long offset,
            byte[] key,
            byte[] source,
            long sequence,
            byte[] detail) {

        /** The entry's length field: the bytes after it. */
        int length() {
            return MIN_ENTRY_LENGTH + topic.length + size(key) + size(source) + size(detail);
        }

        private static int size(byte[] bytes) {
            return bytes == null ? 0 : bytes.length;
        }
    }

    /** Text as UTF-8, at most {@link #MAX_TEXT_BYTES}; longer text is cut (it is a name or a reason). */
    static byte[] text(String text) {
        if (text == null) {
            return null;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_TEXT_BYTES ? bytes : Arrays.copyOf(bytes, MAX_TEXT_BYTES);
    }

    /**
     * Writes entry {@code index} into {@code out} (which has room for {@code 4 + pending.length()}), its
     * body beginning with {@code head}, computes its hash with {@code sha} and leaves it in {@code head}:
     * the chain's new head, without an array per entry.
     */
    static void put(ByteBuffer out, byte[] head, long index, long predecessor, Pending pending, MessageDigest sha) {
        out.putInt(pending.length());
        int bodyStart = out.position();
        out.put(head)
                .putLong(index)
                .putLong(predecessor)
                .putLong(pending.handledAtMillis())
                .put(pending.outcome().code())
                .putInt(pending.partition())
                .putLong(pending.offset())
                .putLong(pending.sequence());
        putBytes(out, pending.topic());
        putBytes(out, pending.key());
        putBytes(out, pending.source());
        putBytes(out, pending.detail());
        int hashAt = out.position();
        sha.update(out.array(), out.arrayOffset() + bodyStart, hashAt - bodyStart);
        try {
            sha.digest(out.array(), out.arrayOffset() + hashAt, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 could not write its " + HASH_BYTES + " bytes", e);
        }
        out.get(hashAt, head).position(hashAt + HASH_BYTES);
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        if (bytes == null) {
            out.putInt(-1);
        } else {
            out.putInt(bytes.length).put(bytes);
        }
    }

    /** The previous entry's hash as entry {@code entry} (length field excluded) records it. */
    static byte[] previous(byte[] entry) {
        return Arrays.copyOf(entry, HASH_BYTES);
    }

    /** The hash stored at the end of {@code entry}. */
    static byte[] storedHash(byte[] entry) {
        return Arrays.copyOfRange(entry, entry.length - HASH_BYTES, entry.length);
    }

    /** Whether the hash stored at the end of {@code entry} is the SHA-256 of the rest. */
    static boolean hashMatches(byte[] entry, MessageDigest sha) {
        sha.update(entry, 0, entry.length - HASH_BYTES);
        byte[] computed = sha.digest();
        return MessageDigest.isEqual(computed, storedHash(entry));
    }

    /**
     * Reads an entry (length field excluded) whose hash matched.
     *
     * @throws IllegalArgumentException saying which field is malformed
     */
    static AuditEntry decode(byte[] entry) {
        ByteBuffer in = ByteBuffer.wrap(entry, 0, entry.length - HASH_BYTES);
        try {
            in.position(HASH_BYTES);
            long index = in.getLong();
            long predecessor = in.getLong();
            long handledAt = in.getLong();
            byte code = in.get();
            AuditOutcome outcome = AuditOutcome.of(code);
            if (outcome == null) {
                throw new IllegalArgumentException("outcome code " + code + " is none of 0-2");
            }
            int partition = in.getInt();
            long offset = in.getLong();
            long sequence = in.getLong();
            byte[] topic = bytes(in, "topic");
            if (topic == null) {
                throw new IllegalArgumentException("topic is missing");
            }
            byte[] key = bytes(in, "key");
            byte[] source = bytes(in, "source");
            byte[] detail = bytes(in, "detail");
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the last field");
            }
            if (predecessor >= index || predecessor < AuditEntry.UNKNOWN_PREDECESSOR) {
                throw new IllegalArgumentException(
                        "predecessor must be an earlier entry, -1 or -2, was " + predecessor + " in entry " + index);
            }
            return new AuditEntry(
                    index,
                    Instant.ofEpochMilli(handledAt),
                    outcome,
                    string(topic),
                    partition,
                    offset,
                    key,
                    string(source),
                    sequence,
                    predecessor,
                    string(detail),
                    storedHash(entry));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("its fields run past its length");
        }
    }

    private static byte[] bytes(ByteBuffer in, String field) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException(field + " length " + length + " does not fit in the entry");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static byte[] unhex(String hex) {
        byte[] bytes = HEX.parseHex(hex);
        if (bytes.length != HASH_BYTES) {
            throw new IllegalArgumentException("a hash has " + 2 * HASH_BYTES + " hex digits, was " + hex.length());
        }
        return bytes;
    }
}
