package dev.ordo.log.storage;

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

    private RecordBatch() {
    }

    /** Producer identity of a batch; {@link #NONE} for non-idempotent appends. */
    public record Producer(long id, short epoch, int baseSequence) {
        public static final Producer NONE = new Producer(-1, (short) -1, -1);
    }

    /** A decoded batch header. */
    public record Info(long baseOffset, long lastOffset, long firstTimestamp, long maxTimestamp, Producer producer,
            int recordCount, int sizeInBytes) {
    }

    /** Encodes {@code records} as one batch whose first record gets {@code baseOffset}. */
    public static ByteBuffer encode(long baseOffset, Producer producer, List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch must hold at least one record");
        }
        long firstTimestamp = records.get(0).timestamp();
        long maxTimestamp = Long.MIN_VALUE;
        int size = HEADER_SIZE;
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            size += recordSize(r, r.timestamp() - firstTimestamp, i);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(size - LENGTH_SIZE);
        out.putInt(0); // CRC, filled below
        out.put(MAGIC);
        out.put((byte) 0);
        out.putLong(baseOffset);
        out.putInt(records.size() - 1);
        out.putLong(firstTimestamp);
        out.putLong(maxTimestamp);
        out.putLong(producer.id());
        out.putShort(producer.epoch());
        out.putInt(producer.baseSequence());
        out.putInt(records.size());
        for (int i = 0; i < records.size(); i++) {
            writeRecord(out, records.get(i), firstTimestamp, i);
        }
        out.flip();
        out.putInt(4, crc(out, CRC_START, size - CRC_START));
        return out;
    }

    /**
     * Reads the header of the batch at the buffer's position, checking length, magic and CRC.
     * Leaves the position unchanged.
     *
     * @throws CorruptRecordException if the batch is incomplete or damaged
     */
    public static Info readInfo(ByteBuffer buffer) {
        int start = buffer.position();
        if (buffer.remaining() < HEADER_SIZE) {
            throw new CorruptRecordException("incomplete batch header: " + buffer.remaining() + " bytes left");
        }
        int length = buffer.getInt(start);
        if (length < HEADER_SIZE - LENGTH_SIZE || length > buffer.remaining() - LENGTH_SIZE) {
            throw new CorruptRecordException("batch length " + length + " does not fit in the " + buffer.remaining()
                    + " bytes left");
        }
        if (buffer.get(start + 8) != MAGIC) {
            throw new CorruptRecordException("unknown batch magic " + buffer.get(start + 8));
        }
        int storedCrc = buffer.getInt(start + 4);
        int actualCrc = crc(buffer, start + CRC_START, length + LENGTH_SIZE - CRC_START);
        if (storedCrc != actualCrc) {
            throw new CorruptRecordException("batch CRC mismatch: stored " + Integer.toHexString(storedCrc)
                    + ", computed " + Integer.toHexString(actualCrc));
        }
        long baseOffset = buffer.getLong(start + 10);
        int lastDelta = buffer.getInt(start + 18);
        int count = buffer.getInt(start + 52);
        // Every record takes at least 5 bytes, so a count beyond that is a lie (and must not size an allocation).
        if (lastDelta < 0 || count != lastDelta + 1 || count > (length + LENGTH_SIZE - HEADER_SIZE) / 5) {
            throw new CorruptRecordException("batch record count " + count + " disagrees with last offset delta " + lastDelta);
        }
        return new Info(baseOffset, baseOffset + lastDelta, buffer.getLong(start + 22), buffer.getLong(start + 30),
                new Producer(buffer.getLong(start + 38), buffer.getShort(start + 46), buffer.getInt(start + 48)),
                count, length + LENGTH_SIZE);
    }

    /** Decodes the (already verified) batch at the buffer's position and advances past it. */
    public static List<Record> readRecords(ByteBuffer buffer) {
        Info info = readInfo(buffer);
        ByteBuffer in = buffer.slice(buffer.position() + HEADER_SIZE, info.sizeInBytes() - HEADER_SIZE);
        List<Record> records = new ArrayList<>(info.recordCount());
        for (int i = 0; i < info.recordCount(); i++) {
            long timestamp = info.firstTimestamp() + VarInt.read(in);
            long offset = info.baseOffset() + VarInt.read(in);
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int headerCount = (int) VarInt.read(in);
            if (headerCount < 0 || headerCount > in.remaining()) {
                throw new CorruptRecordException("record has " + headerCount + " headers");
            }
            List<Header> headers = new ArrayList<>(headerCount);
            for (int h = 0; h < headerCount; h++) {
                byte[] name = readBytes(in);
                if (name == null) {
                    throw new CorruptRecordException("header without a key");
                }
                headers.add(new Header(new String(name, StandardCharsets.UTF_8), readBytes(in)));
            }
            records.add(new Record(offset, timestamp, key, value, headers));
        }
        buffer.position(buffer.position() + info.sizeInBytes());
        return records;
    }

    private static int recordSize(Record r, long timestampDelta, int offsetDelta) {
        int size = VarInt.size(timestampDelta) + VarInt.size(offsetDelta) + bytesSize(r.key()) + bytesSize(r.value())
                + VarInt.size(r.headers().size());
        for (Header h : r.headers()) {
            size += bytesSize(h.key().getBytes(StandardCharsets.UTF_8)) + bytesSize(h.value());
        }
        return size;
    }

    private static int bytesSize(byte[] bytes) {
        return bytes == null ? VarInt.size(-1) : VarInt.size(bytes.length) + bytes.length;
    }

    private static void writeRecord(ByteBuffer out, Record r, long firstTimestamp, int offsetDelta) {
        VarInt.write(out, r.timestamp() - firstTimestamp);
        VarInt.write(out, offsetDelta);
        writeBytes(out, r.key());
        writeBytes(out, r.value());
        VarInt.write(out, r.headers().size());
        for (Header h : r.headers()) {
            writeBytes(out, h.key().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, h.value());
        }
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
            throw new CorruptRecordException("field length " + length + " overruns the batch (" + in.remaining() + " bytes left)");
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
