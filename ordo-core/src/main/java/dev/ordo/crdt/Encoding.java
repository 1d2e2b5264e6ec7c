package dev.ordo.crdt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The varint building blocks of the CRDTs' binary forms: unsigned LEB128 varints (7 bits a byte, low
 * bits first), UTF-8 strings and byte strings prefixed by their varint length, and a leading tag byte per
 * type. Decoding names the type and the field it was reading when the bytes are damaged.
 */
final class Encoding {

    private Encoding() {}

    /** Collects an encoding. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(32);

        Writer(int tag) {
            out.write(tag);
        }

        Writer varint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Writer string(String value) {
            return bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        Writer bytes(byte[] value) {
            varint(value.length);
            out.write(value, 0, value.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads an encoding, refusing damaged bytes with a message naming the type and the field. */
    static final class Reader {
        private final byte[] bytes;
        private final String type;
        private int position;

        /** @throws IllegalArgumentException if {@code bytes} do not start with {@code tag} */
        Reader(byte[] bytes, String type, int tag) {
            if (bytes == null) {
                throw new IllegalArgumentException(type + " encoding must not be null");
            }
            this.bytes = bytes;
            this.type = type;
            int first = bytes.length == 0 ? -1 : bytes[0] & 0xFF;
            if (first != tag) {
                throw new IllegalArgumentException(
                        type + " encoding must start with tag " + tag + ", was " + (first < 0 ? "empty" : first));
            }
            position = 1;
        }

        /** A non-negative varint. */
        long varint(String field) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position == bytes.length) {
                    throw damaged(field, "truncated at byte " + position);
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (value < 0) {
                        throw damaged(field, "must be >= 0, was " + value);
                    }
                    return value;
                }
            }
            throw damaged(field, "varint longer than 10 bytes at byte " + position);
        }

        /** A varint that counts entries, each of at least one byte, so at most the bytes left. */
        int count(String field) {
            long count = varint(field);
            if (count > bytes.length - position) {
                throw damaged(field, "must be <= " + (bytes.length - position) + " (the bytes left), was " + count);
            }
            return (int) count;
        }

        String string(String field) {
            return new String(bytes(field), StandardCharsets.UTF_8);
        }

        byte[] bytes(String field) {
            int length = count(field + " length");
            byte[] value = new byte[length];
            System.arraycopy(bytes, position, value, 0, length);
            position += length;
            return value;
        }

        /** @throws IllegalArgumentException if bytes are left over */
        void end() {
            if (position != bytes.length) {
                throw new IllegalArgumentException(
                        type + " encoding has " + (bytes.length - position) + " trailing bytes at byte " + position);
            }
        }

        /** An exception for a damaged field: {@code "G-Counter count of replica a: truncated at byte 7"}. */
        IllegalArgumentException damaged(String field, String why) {
            return new IllegalArgumentException(type + " " + field + ": " + why);
        }
    }
}
