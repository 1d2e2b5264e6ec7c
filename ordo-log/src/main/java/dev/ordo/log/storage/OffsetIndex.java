package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The sparse offset index of one segment: (offset relative to the segment's base, byte position)
 * pairs in increasing order, kept in memory and appended to its file. It is a cache of the log:
 * {@link LogSegment} rebuilds it from the log whenever it cannot be trusted.
 */
final class OffsetIndex implements AutoCloseable {

    static final int ENTRY_SIZE = 8;

    private final Path file;
    private final FileChannel channel;
    private int[] relativeOffsets = new int[64];
    private int[] positions = new int[64];
    private int size;

    private OffsetIndex(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (or creates) an index file and loads its complete entries. */
    static OffsetIndex open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        OffsetIndex index = new OffsetIndex(file, channel);
        long entries = channel.size() / ENTRY_SIZE;
        ByteBuffer buffer = ByteBuffer.allocate((int) (entries * ENTRY_SIZE));
        channel.read(buffer, 0);
        buffer.flip();
        for (long i = 0; i < entries; i++) {
            index.addInMemory(buffer.getInt(), buffer.getInt());
        }
        return index;
    }

    void append(int relativeOffset, int position) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).putInt(relativeOffset).putInt(position).flip();
        channel.write(entry, (long) size * ENTRY_SIZE);
        addInMemory(relativeOffset, position);
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

    /** True if the entries are increasing and none points at or past {@code logSize}. */
    boolean consistentWith(long logSize) {
        for (int i = 0; i < size; i++) {
            if (positions[i] >= logSize || (i > 0 && (relativeOffsets[i] <= relativeOffsets[i - 1] || positions[i] <= positions[i - 1]))) {
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
    }

    void flush() throws IOException {
        channel.force(false);
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

    private void addInMemory(int relativeOffset, int position) {
        if (size == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        relativeOffsets[size] = relativeOffset;
        positions[size] = position;
        size++;
    }
}
