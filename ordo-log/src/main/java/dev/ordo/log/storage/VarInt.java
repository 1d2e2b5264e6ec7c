package dev.ordo.log.storage;

import java.nio.ByteBuffer;

/** Zig-zag LEB128 variable-length integers, as in Protocol Buffers' {@code sint64}. */
final class VarInt {

    private VarInt() {}

    static void write(ByteBuffer out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    static int size(long value) {
        long v = (value << 1) ^ (value >> 63);
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            size++;
            v >>>= 7;
        }
        return size;
    }

    static long read(ByteBuffer in) {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.hasRemaining()) {
                throw new CorruptRecordException("varint runs past the end of the batch");
            }
            byte b = in.get();
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new CorruptRecordException("varint longer than 10 bytes");
    }
}
