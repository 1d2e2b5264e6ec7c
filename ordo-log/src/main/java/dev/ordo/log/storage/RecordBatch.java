package dev.ordo.log.storage;

import dev.ordo.engine.Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes record batches in the format of {@code docs/log-format.md}: a fixed
 * 56-byte header with a CRC32C over everything after the CRC field, then the records.
 */
public final class RecordBatch {

    static final byte MAGIC = 1;
    /** batchLength(4) crc(4) magic(1) attributes(1) baseOffset(8) lastOffsetDelta(4) firstTimestamp(8)
     *  maxTimestamp(8) producerId(8) producerEpoch(2) baseSequence(4) recordCount(4). */
    public static final int HEADER_SIZE = 56;

    static final int LENGTH_SIZE = 4;
    private static final int CRC_START = 8;
    /** Where the header's record count lies, from the batch's start (the last header field). */
    private static final int RECORD_COUNT_AT = HEADER_SIZE - 4;

    private RecordBatch() {}

    /** Producer identity of a batch; {@link #NONE} for non-idempotent appends. */
    public record Producer(long id, short epoch, int baseSequence) {
        public static final Producer NONE = new Producer(-1, (short) -1, -1);
    }

    /** A decoded batch header. */
    public record Info(
            long baseOffset,
            long lastOffset,
            long firstTimestamp,
            long maxTimestamp,
            Producer producer,
            int recordCount,
            int sizeInBytes) {}

    /** Encodes {@code records} as one batch whose first record gets {@code baseOffset}. */
    public static ByteBuffer encode(long baseOffset, Producer producer, List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch must hold at least one record");
        }
        return Builder.of(records).finish(baseOffset, producer);
    }

    /**
     * A batch encoded record by record as they come (a producer's accumulator): each record is put
     * into the batch's bytes when it is added, so the finished batch needs no second pass over its
     * records. The base offset, producer fields and CRC are written by {@link #finish} when the log
     * appends it, which may happen more than once for the same batch (a retry).
     *
     * <p>The buffer starts at the given capacity and doubles as records come, up to the batch limit.
     * Not thread-safe.
     */
    public static final class Builder {
        private final int maxBytes;
        private ByteBuffer buffer;
        private int count;
        private long firstTimestamp;
        private long maxTimestamp = Long.MIN_VALUE;

        /**
         * @param initialCapacity bytes to allocate at first (grown as needed)
         * @param maxBytes the largest batch {@link #tryAppend} fills up to; a first record larger than
         *        that is still taken (the log refuses the batch with a clear error)
         */
        public Builder(int initialCapacity, int maxBytes) {
            this(ByteBuffer.allocate(Math.max(HEADER_SIZE, Math.min(initialCapacity, maxBytes))), maxBytes);
        }

        /**
         * A builder that writes into {@code buffer} (a heap buffer of at least {@value #HEADER_SIZE}
         * bytes, e.g. one a finished batch gave back through {@link #buffer()}); its contents are overwritten.
         */
        public Builder(ByteBuffer buffer, int maxBytes) {
            if (!buffer.hasArray() || buffer.capacity() < HEADER_SIZE) {
                throw new IllegalArgumentException(
                        "buffer must be a heap buffer of at least " + HEADER_SIZE + " bytes, was " + buffer);
            }
            this.maxBytes = maxBytes;
            this.buffer = buffer.clear().position(HEADER_SIZE);
        }

        /**
         * Adds a record unless the batch would exceed its limit (a first record is always taken).
         *
         * @return whether the record was added
         */
        public boolean tryAppend(long timestamp, byte[] key, byte[] value, List<Header> headers) {
            long timestampDelta = count == 0 ? 0 : timestamp - firstTimestamp;
            int size = VarInt.size(timestampDelta)
                    + VarInt.size(count)
                    + bytesSize(key)
                    + bytesSize(value)
                    + VarInt.size(headers.size());
            byte[][] names = headers.isEmpty() ? null : new byte[headers.size()][];
            for (int h = 0; h < headers.size(); h++) {
                names[h] = headers.get(h).key().getBytes(StandardCharsets.UTF_8);
                size += bytesSize(names[h]) + bytesSize(headers.get(h).value());
            }
            if (count > 0 && (long) buffer.position() + size > maxBytes) {
                return false;
            }
            ensureRoom(size);
            if (count == 0) {
                firstTimestamp = timestamp;
            }
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            VarInt.write(buffer, timestampDelta);
            VarInt.write(buffer, count);
            writeBytes(buffer, key);
            writeBytes(buffer, value);
            VarInt.write(buffer, headers.size());
            for (int h = 0; h < headers.size(); h++) {
                writeBytes(buffer, names[h]);
                writeBytes(buffer, headers.get(h).value());
            }
            count++;
            return true;
        }

        /** A builder holding {@code records}, without a size limit (the log checks its own). */
        static Builder of(List<Record> records) {
            Builder builder = new Builder(HEADER_SIZE + 64 * records.size(), Integer.MAX_VALUE);
            for (Record r : records) {
                builder.tryAppend(r.timestamp(), r.key(), r.value(), r.headers()); // no limit: always added
            }
            return builder;
        }

        private void ensureRoom(int bytes) {
            if (buffer.remaining() >= bytes) {
                return;
            }
            long needed = (long) buffer.position() + bytes;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch would exceed " + (Integer.MAX_VALUE - 8) + " bytes");
            }
            int capacity = (int) Math.max(needed, Math.min((long) buffer.capacity() * 2, maxBytes));
            ByteBuffer grown = ByteBuffer.allocate(capacity);
            grown.put(buffer.flip());
            buffer = grown;
        }

        /** Records added. */
        public int recordCount() {
            return count;
        }

        /** Bytes of the batch, header included. */
        public int sizeInBytes() {
            return buffer.position();
        }

        /** The buffer the batch is written in, to reuse for another batch once this one is appended. */
        public ByteBuffer buffer() {
            return buffer;
        }

        /**
         * Writes the header (with {@code baseOffset}, the producer and the CRC) and returns the whole
         * batch, position 0 to its size. May be called again (a retry): every field is rewritten.
         */
        ByteBuffer finish(long baseOffset, Producer producer) {
            if (count == 0) {
                throw new IllegalStateException("a batch must hold at least one record");
            }
            int size = buffer.position();
            ByteBuffer out = buffer.duplicate().position(0).limit(size);
            out.putInt(0, size - LENGTH_SIZE);
            out.put(8, MAGIC);
            out.put(9, (byte) 0);
            out.putLong(10, baseOffset);
            out.putInt(18, count - 1);
            out.putLong(22, firstTimestamp);
            out.putLong(30, maxTimestamp);
            out.putLong(38, producer.id());
            out.putShort(46, producer.epoch());
            out.putInt(48, producer.baseSequence());
            out.putInt(52, count);
            out.putInt(4, crc(out, CRC_START, size - CRC_START));
            return out;
        }

        /** The header {@link #finish} writes, without reading it back. */
        Info info(long baseOffset, Producer producer) {
            return new Info(
                    baseOffset,
                    baseOffset + count - 1,
                    firstTimestamp,
                    maxTimestamp,
                    producer,
                    count,
                    buffer.position());
        }
    }

    /**
     * Reads the header of the batch at the buffer's position, checking length, magic and CRC.
     * Leaves the position unchanged.
     *
     * @throws CorruptRecordException if the batch is incomplete or damaged
     */
    public static Info readInfo(ByteBuffer buffer) {
        return readInfo(buffer, true);
    }

    private static Info readInfo(ByteBuffer buffer, boolean checkCrc) {
        int start = buffer.position();
        if (buffer.remaining() < HEADER_SIZE) {
            throw new CorruptRecordException("incomplete batch header: " + buffer.remaining() + " bytes left");
        }
        int length = buffer.getInt(start);
        if (length < HEADER_SIZE - LENGTH_SIZE || length > buffer.remaining() - LENGTH_SIZE) {
            throw new CorruptRecordException(
                    "batch length " + length + " does not fit in the " + buffer.remaining() + " bytes left");
        }
        if (buffer.get(start + 8) != MAGIC) {
            throw new CorruptRecordException("unknown batch magic " + buffer.get(start + 8));
        }
        int storedCrc = buffer.getInt(start + 4);
        int actualCrc = checkCrc ? crc(buffer, start + CRC_START, length + LENGTH_SIZE - CRC_START) : storedCrc;
        if (storedCrc != actualCrc) {
            throw new CorruptRecordException("batch CRC mismatch: stored " + Integer.toHexString(storedCrc)
                    + ", computed " + Integer.toHexString(actualCrc));
        }
        long baseOffset = buffer.getLong(start + 10);
        int lastDelta = buffer.getInt(start + 18);
        int count = buffer.getInt(start + RECORD_COUNT_AT);
        // Every record takes at least 5 bytes, so a count beyond that is a lie (and must not size an allocation).
        if (lastDelta < 0 || count != lastDelta + 1 || count > (length + LENGTH_SIZE - HEADER_SIZE) / 5) {
            throw new CorruptRecordException(
                    "batch record count " + count + " disagrees with last offset delta " + lastDelta);
        }
        return new Info(
                baseOffset,
                baseOffset + lastDelta,
                buffer.getLong(start + 22),
                buffer.getLong(start + 30),
                new Producer(buffer.getLong(start + 38), buffer.getShort(start + 46), buffer.getInt(start + 48)),
                count,
                length + LENGTH_SIZE);
    }

    /** The record count of the batch at the buffer's position, whose header {@link #readInfo} checked. */
    static int recordCount(ByteBuffer checkedBatch) {
        return checkedBatch.getInt(checkedBatch.position() + RECORD_COUNT_AT);
    }

    /** Checks and decodes the batch at the buffer's position and advances past it. */
    public static List<Record> readRecords(ByteBuffer buffer) {
        readInfo(buffer);
        List<Record> records = new ArrayList<>();
        readRecords(buffer, Long.MIN_VALUE, Long.MAX_VALUE, Record::new, records);
        return records;
    }

    /**
     * Makes the reader's object of a decoded record: the log's {@link Record}, or an engine's own, which
     * then needs no {@code Record} made and copied first (a seventh of a consumer's allocation per record).
     *
     * @param <R> the type made
     */
    @FunctionalInterface
    public interface RecordMaker<R> {
        R make(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers);
    }

    /**
     * Decodes checked batches ({@link #readInfo}) into one list, records in {@code [fromOffset, end)};
     * the list is sized once (growing it was 6% of a consumer's allocation).
     */
    static <R> List<R> readRecords(List<ByteBuffer> checkedBatches, long fromOffset, long end, RecordMaker<R> maker) {
        int records = 0;
        for (ByteBuffer batch : checkedBatches) {
            records += recordCount(batch);
        }
        List<R> out = new ArrayList<>(records);
        for (ByteBuffer batch : checkedBatches) {
            readRecords(batch, fromOffset, end, maker, out);
        }
        return out;
    }

    /**
     * Decodes the batch at the buffer's position, whose CRC the caller checked with {@link #readInfo},
     * adding its records in {@code [fromOffset, end)} to {@code out}, and advances past it. Lengths and
     * counts are still checked: a damaged batch throws, it cannot overrun.
     */
    static <R> void readRecords(ByteBuffer buffer, long fromOffset, long end, RecordMaker<R> maker, List<R> out) {
        Info info = readInfo(buffer, false);
        ByteBuffer in = buffer.slice(buffer.position() + HEADER_SIZE, info.sizeInBytes() - HEADER_SIZE);
        for (int i = 0; i < info.recordCount(); i++) {
            long timestamp = info.firstTimestamp() + VarInt.read(in);
            long offset = info.baseOffset() + VarInt.read(in);
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int headerCount = (int) VarInt.read(in);
            if (headerCount < 0 || headerCount > in.remaining()) {
                throw new CorruptRecordException("record has " + headerCount + " headers");
            }
            List<Header> headers = List.of();
            if (headerCount > 0) {
                Header[] read = new Header[headerCount];
                for (int h = 0; h < headerCount; h++) {
                    byte[] name = readBytes(in);
                    if (name == null) {
                        throw new CorruptRecordException("header without a key");
                    }
                    read[h] = new Header(new String(name, StandardCharsets.UTF_8), readBytes(in));
                }
                headers = List.of(read);
            }
            if (offset >= fromOffset && offset < end) {
                out.add(maker.make(offset, timestamp, key, value, headers));
            }
        }
        buffer.position(buffer.position() + info.sizeInBytes());
    }

    private static int bytesSize(byte[] bytes) {
        return bytes == null ? VarInt.size(-1) : VarInt.size(bytes.length) + bytes.length;
    }

    private static void writeBytes(ByteBuffer out, byte[] bytes) {
        if (bytes == null) {
            VarInt.write(out, -1);
            return;
        }
        VarInt.write(out, bytes.length);
        out.put(bytes);
    }

    private static byte[] readBytes(ByteBuffer in) {
        long length = VarInt.read(in);
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new CorruptRecordException(
                    "field length " + length + " overruns the batch (" + in.remaining() + " bytes left)");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return bytes;
    }

    private static int crc(ByteBuffer buffer, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(from, length));
        return (int) crc.getValue();
    }
}
