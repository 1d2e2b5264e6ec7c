package dev.ordo.audit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The end of a file, written through a memory mapping of a region ahead of it: a copied entry is in
 * the page cache at once, so it survives the process (not the machine) without a system call per
 * entry (5 us for a write of 150 bytes on the benchmark VM); the page faults of a new page cost about
 * 1 us per entry there instead ({@link AuditSync#WRITE}). The file
 * is extended a region at a time, so until {@link #close} it ends in zeros after the last entry, which
 * the scanner reads as the end and a reopening trail cuts off. Confined to the writer's lock.
 */
final class MappedAppender implements Appender {

    static final int REGION_BYTES = 8 << 20;

    private final RandomAccessFile file;
    private final FileChannel channel;
    private MappedByteBuffer region;
    private long regionStart;
    private long end;

    MappedAppender(RandomAccessFile file, long end) throws IOException {
        this.file = file;
        this.channel = file.getChannel();
        this.end = end;
        map(end);
    }

    /** Copies {@code length} bytes of {@code bytes} to the end of the file. */
    @Override
    public void append(byte[] bytes, int length) throws IOException {
        int done = 0;
        while (done < length) {
            if (!region.hasRemaining()) {
                map(regionStart + REGION_BYTES);
            }
            int n = Math.min(length - done, region.remaining());
            region.put(bytes, done, n);
            done += n;
        }
        end += length;
    }

    /** Forces everything appended (dirty mapped pages included: one page cache on Linux) to the disk. */
    @Override
    public void force() throws IOException {
        file.getFD().sync();
    }

    /** Cuts the zeros after the last entry off and forces the file. */
    @Override
    public void close() throws IOException {
        region = null;
        file.setLength(end);
        file.getFD().sync();
    }

    /**
     * Maps the region starting at {@code start} (extending the file), positioned at the end. A mapping
     * is an interruptible channel call that closes the channel for good if the handler thread is
     * interrupted; the interrupt is held back for the call and restored after.
     */
    private void map(long start) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            region = channel.map(FileChannel.MapMode.READ_WRITE, start, REGION_BYTES);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        regionStart = start;
        region.position((int) (Math.max(end, start) - start));
    }
}
