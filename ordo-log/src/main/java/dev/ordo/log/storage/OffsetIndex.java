package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse offset and time index of one segment: entries of (offset relative to the segment's
 * base, byte position, largest record timestamp before that position) in increasing order, kept in
 * memory and written to its file in bulk ({@link #writePending}, {@link #flush}): an entry is added
 * about every 4 KiB of appends, and writing each one on its own cost the appending thread a system
 * call for every batch or so. Only a sealed segment's index file is read back, and sealing flushes
 * it; the active segment's is rebuilt from the log on open. The offset finds where to start reading
 * an offset; the timestamp finds where to start looking for the first record at or after a time
 * (everything before an entry whose timestamp is below the time is older). It is a cache of the log: {@link LogSegment}
 * rebuilds it from the log whenever it cannot be trusted.
 */
final class OffsetIndex implements AutoCloseable {

    static final int ENTRY_SIZE = 16;

    private final Path file;
    private final UninterruptibleFile channel;
    private int[] relativeOffsets = new int[64];
    private int[] positions = new int[64];
    private long[] maxTimestampsBefore = new long[64];
    private int size;
    /** How many of the entries are in the file. */
    private int written;

    private OffsetIndex(Path file, UninterruptibleFile channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (or creates) an index file and loads its complete entries. */
    static OffsetIndex open(Path file) throws IOException {
        UninterruptibleFile channel = new UninterruptibleFile(file);
        OffsetIndex index = new OffsetIndex(file, channel);
        long entries = channel.size() / ENTRY_SIZE;
        ByteBuffer buffer = ByteBuffer.allocate((int) (entries * ENTRY_SIZE));
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // reads the complete entries
        }
        buffer.flip();
        for (long i = 0; i < entries; i++) {
            index.addInMemory(buffer.getInt(), buffer.getInt(), buffer.getLong());
        }
        index.written = index.size;
        return index;
    }

    /** Adds an entry; it reaches the file with the next {@link #writePending} or {@link #flush}. */
    void append(int relativeOffset, int position, long maxTimestampBefore) {
        addInMemory(relativeOffset, position, maxTimestampBefore);
    }

    /** Writes the entries not in the file yet, in one write (not forced). */
    void writePending() throws IOException {
        if (written == size) {
            return;
        }
        ByteBuffer entries = ByteBuffer.allocate((size - written) * ENTRY_SIZE);
        for (int i = written; i < size; i++) {
            entries.putInt(relativeOffsets[i]).putInt(positions[i]).putLong(maxTimestampsBefore[i]);
        }
        channel.write(entries.flip(), (long) written * ENTRY_SIZE);
        written = size;
    }

    /** The position of the last entry before which every record is older than {@code timestamp}, or 0. */
    int lookupTime(long timestamp) {
        // The timestamps are non-decreasing: find the last entry below the time by bisection.
        int low = 0;
        int high = size - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (maxTimestampsBefore[mid] < timestamp) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? 0 : positions[found];
    }

    /** The largest timestamp before the last entry, or {@link Long#MIN_VALUE} if there is none. */
    long lastMaxTimestampBefore() {
        return size == 0 ? Long.MIN_VALUE : maxTimestampsBefore[size - 1];
    }

    /** The position of the last indexed batch at or before {@code relativeOffset}, or 0. */
    int lookup(int relativeOffset) {
        int i = Arrays.binarySearch(relativeOffsets, 0, size, relativeOffset);
        if (i >= 0) {
            return positions[i];
        }
        int before = -i - 2;
        return before < 0 ? 0 : positions[before];
    }

    /** The relative offset of the entry {@link #lookup} finds for {@code relativeOffset}, or 0. */
    int lookupOffset(int relativeOffset) {
        int i = Arrays.binarySearch(relativeOffsets, 0, size, relativeOffset);
        if (i >= 0) {
            return relativeOffsets[i];
        }
        int before = -i - 2;
        return before < 0 ? 0 : relativeOffsets[before];
    }

    /** True if the entries are increasing and none points at or past {@code logSize}. */
    boolean consistentWith(long logSize) {
        for (int i = 0; i < size; i++) {
            if (positions[i] >= logSize
                    || (i > 0
                            && (relativeOffsets[i] <= relativeOffsets[i - 1]
                                    || positions[i] <= positions[i - 1]
                                    || maxTimestampsBefore[i] < maxTimestampsBefore[i - 1]))) {
                return false;
            }
        }
        return true;
    }

    int lastPosition() {
        return size == 0 ? -1 : positions[size - 1];
    }

    int size() {
        return size;
    }

    /** Drops every entry (before a rebuild). */
    void clear() throws IOException {
        channel.truncate(0);
        size = 0;
        written = 0;
    }

    /** Writes the pending entries and forces the file. */
    void flush() throws IOException {
        writePending();
        channel.force();
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static boolean exists(Path file) {
        return Files.exists(file);
    }

    private void addInMemory(int relativeOffset, int position, long maxTimestampBefore) {
        if (size == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
            maxTimestampsBefore = Arrays.copyOf(maxTimestampsBefore, size * 2);
        }
        relativeOffsets[size] = relativeOffset;
        positions[size] = position;
        maxTimestampsBefore[size] = maxTimestampBefore;
        size++;
    }
}
