package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One partition's durable, ordered log: segments of record batches with offsets assigned on
 * append, recovered on open ({@link LogLoader}), flushed to disk according to its {@link
 * FsyncPolicy}, trimmed by its retention ({@link RetentionCleaner}); sealed segments are forced in
 * the background by a {@link LogFlusher}. A failed force takes the log offline for good ({@link
 * LogOfflineException}). The format is in {@code docs/log-format.md}.
 *
 * <pre>{@code
 * try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults().withFsync(FsyncPolicy.everyBatch()))) {
 *     long offset = log.append(List.of(Record.of(now, key, value)), RecordBatch.Producer.NONE);
 *     List<Record> records = log.read(offset, 1 << 20);
 * }
 * }</pre>
 *
 * Thread-safe: appends are serialized by the log's monitor; a reader takes its position and the
 * readable size under it, then reads the file and decodes outside it; forcing to disk runs outside it.
 */
public final class PartitionLog implements AutoCloseable {

    private final Path dir;
    /** Replaced by {@link #reconfigure} (under the monitor); read without it by appends and readers. */
    private volatile LogConfig config;

    private final LogFlusher flusher;
    private final BackgroundDeleter deleter;
    /** Whether the flusher and the deleter are this log's own (it was opened on its own): closed with it. */
    private final boolean ownsThreads;

    private final LogSegments segments;
    private final long truncatedOnOpen;
    private final ProducerStateTable producers;
    /** The retention in force (the monitor). */
    private RetentionCleaner retention;
    /** What of the log is on disk and the forces that put more there; offline after a failed one. */
    private final LogDurability durability;
    /**
     * {@link #nextOffset()} and {@link #startOffset()}, published after each append, roll and
     * retention (under the monitor) so that readers checking for news take no lock.
     */
    private volatile long endOffset;

    private volatile long firstOffset;
    private boolean closed;
    /** Offsets lost to damaged sealed segments cut on open under {@link CorruptionPolicy#SKIP}. */
    private final long skippedByCorruption;

    private PartitionLog(Path dir, LogConfig config, LogFlusher flusher, BackgroundDeleter deleter, boolean ownsThreads)
            throws IOException {
        this.dir = dir;
        this.config = config;
        this.flusher = Objects.requireNonNull(flusher, "flusher must not be null");
        this.deleter = Objects.requireNonNull(deleter, "deleter must not be null");
        this.ownsThreads = ownsThreads;
        this.retention = new RetentionCleaner(config.retention(), deleter);
        LogLoader.Loaded loaded = LogLoader.load(dir, config);
        segments = new LogSegments(loaded.segments());
        truncatedOnOpen = loaded.truncatedBytes();
        durability = new LogDurability(this, dir, segments, loaded.recoveryPoint(), flusher);
        producers = loaded.producers();
        skippedByCorruption = loaded.offsetsLostToCorruption();
        try {
            enforceRetention(System.currentTimeMillis());
            publishOffsets();
            durability.forceOnOpen(config.fsync(), endOffset);
        } catch (IOException | RuntimeException e) {
            segments.closeAll(e); // no file left open by a log that did not open
            throw e;
        }
        durability.startForces(config.fsync());
    }

    /**
     * Opens (creating if needed) the partition log in {@code dir} on its own: it starts a {@link
     * LogFlusher} and a {@link BackgroundDeleter} of its own and stops them when it closes.
     */
    public static PartitionLog open(Path dir, LogConfig config) throws IOException {
        return open(dir, config, LogFlusher.start(), BackgroundDeleter.start(), true);
    }

    /**
     * Opens (creating if needed) the partition log in {@code dir}, its background forces on {@code
     * flusher} and its retention's deletions on {@code deleter}, which the caller (an engine with many
     * logs) closes after the log.
     */
    public static PartitionLog open(Path dir, LogConfig config, LogFlusher flusher, BackgroundDeleter deleter)
            throws IOException {
        return open(dir, config, flusher, deleter, false);
    }

    private static PartitionLog open(
            Path dir, LogConfig config, LogFlusher flusher, BackgroundDeleter deleter, boolean ownsThreads)
            throws IOException {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(config, "config must not be null");
        try {
            return new PartitionLog(dir, config, flusher, deleter, ownsThreads);
        } catch (IOException | RuntimeException e) {
            if (ownsThreads) {
                flusher.close();
                deleter.close();
            }
            throw e;
        }
    }

    /**
     * Appends records as one batch and returns the offset of the first. Durable on return when
     * the policy is {@link FsyncPolicy#everyBatch()}.
     *
     * <p>With an idempotent producer (id >= 0) the batch must continue the producer's sequence: a
     * retry of its last batch is not written again and returns the offset it got the first time
     * (also after a restart), an older epoch is fenced, skipped sequence numbers are refused.
     *
     * @throws ProducerFencedException if a newer epoch of the producer has written
     * @throws OutOfOrderSequenceException if the producer's sequence numbers do not continue
     * @throws IllegalArgumentException if there are no records or the batch exceeds {@code maxBatchBytes};
     *         nothing is written
     */
    public long append(List<Record> records, RecordBatch.Producer producer) throws IOException {
        Objects.requireNonNull(records, "records must not be null");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records must not be empty");
        }
        return append(RecordBatch.Builder.of(records), producer);
    }

    /**
     * Appends a batch encoded as its records came (a producer's accumulator), as {@link #append(List,
     * RecordBatch.Producer)} does; the log writes the batch's base offset, producer fields and CRC
     * into it. The same builder may be appended again after an {@link IOException} (a retry).
     */
    public long append(RecordBatch.Builder batch, RecordBatch.Producer producer) throws IOException {
        long[] written = appendLocked(batch, producer);
        config.fsync().appended(this, written[1]);
        return written[0];
    }

    /**
     * Appends as {@link #append(RecordBatch.Builder, RecordBatch.Producer)} does but returns before
     * the fsync policy's force: the batch is written (readable) and, under {@link
     * FsyncPolicy#everyBatch()}, durable only once {@link #awaitDurable} for its end returns. For a
     * writer of several partitions at once (a producer's round of batches), which then forces them in
     * parallel instead of one after another.
     *
     * @return the batch's first offset and the offset after it
     */
    public long[] appendBeforeSync(RecordBatch.Builder batch, RecordBatch.Producer producer) throws IOException {
        return appendLocked(batch, producer);
    }

    /**
     * Changes the running log's configuration; the fsync policy, segment size and retention are what
     * change while it runs. At a change of the fsync policy everything written so far is forced under
     * the monitor (no append in between): an append written under every-batch is never acknowledged
     * without its force, and once this returns every append is forced as the new policy says. A new
     * segment size applies from the next roll, a new retention from the next pass
     * ({@link #enforceRetention}, which each roll makes).
     */
    public void reconfigure(LogConfig next) throws IOException {
        Objects.requireNonNull(next, "config must not be null");
        flush(); // outside the monitor first, so that what is left to force under it is little
        synchronized (this) {
            ensureOpen();
            if (!next.fsync().equals(config.fsync())) {
                durability.switchPolicy(next.fsync(), endOffset);
            }
            retention = new RetentionCleaner(next.retention(), deleter);
            config = next;
        }
    }

    /** The configuration in force now. */
    public LogConfig config() {
        return config;
    }

    /**
     * Every offset below this one was forced by an {@link FsyncPolicy#everyBatch()} append or
     * {@link #awaitDurable}.
     */
    public long durableOffset() {
        return durability.durableOffset();
    }

    /**
     * The offset after the last record {@link #read} returns: {@link #nextOffset()}, or under {@link
     * FsyncPolicy#everyBatch()} {@link #durableOffset()}, so that no reader acts on a record a power
     * loss could still take back (as Kafka's consumers read up to the high watermark). Takes no lock.
     */
    public long readableEnd() {
        return syncsEveryBatch() ? durability.durableOffset() : endOffset;
    }

    /** True if appends are durable when they return ({@link FsyncPolicy#forcesEveryBatch()}). */
    public boolean syncsEveryBatch() {
        return config.fsync().forcesEveryBatch();
    }

    /** Writes the batch; returns its first offset and the offset after it. */
    private synchronized long[] appendLocked(RecordBatch.Builder batch, RecordBatch.Producer producer)
            throws IOException {
        ensureOpen();
        Objects.requireNonNull(producer, "producer must not be null");
        if (batch.recordCount() == 0) {
            throw new IllegalArgumentException("records must not be empty");
        }
        if (batch.sizeInBytes() > config.maxBatchBytes()) {
            throw new IllegalArgumentException("batch of " + batch.recordCount() + " records is " + batch.sizeInBytes()
                    + " bytes; maxBatchBytes is " + config.maxBatchBytes());
        }
        if (producers.check(producer, batch.recordCount()) instanceof ProducerStateTable.Verdict.Duplicate duplicate) {
            return new long[] {duplicate.firstOffset(), nextOffset()};
        }
        LogSegment active = active();
        long baseOffset = active.nextOffset();
        ByteBuffer bytes = batch.finish(baseOffset, producer);
        RecordBatch.Info info = batch.info(baseOffset, producer);
        if (active.size() > 0 && (active.size() + bytes.remaining() > config.segmentBytes() || tooOld(active, info))) {
            active = roll(active, baseOffset);
        }
        active.append(bytes, info);
        producers.update(info);
        durability.appended();
        endOffset = active.nextOffset();
        return new long[] {baseOffset, info.lastOffset() + 1};
    }

    /**
     * Seals the active segment and starts the next at {@code baseOffset} (monitor held); the sealed one
     * is forced in the background. Either step may fail (a full disk) and leave the active segment as
     * it was, to be rolled by the next append: the seal cuts a failed write's bytes and writes the index
     * entries (page cache; forced with the log, later), then the next segment is created.
     */
    private LogSegment roll(LogSegment active, long baseOffset) throws IOException {
        durability.beforeRoll();
        active.seal();
        LogSegment next = LogSegment.create(dir, baseOffset, config.indexIntervalBytes());
        durability.sealed(active);
        segments.add(next);
        enforceRetention(System.currentTimeMillis());
        durability.forceSealedLater();
        return next;
    }

    private boolean tooOld(LogSegment active, RecordBatch.Info incoming) {
        return config.segmentAge() != null
                && incoming.maxTimestamp() - active.firstTimestamp()
                        >= config.segmentAge().toMillis();
    }

    /**
     * Deletes sealed segments, oldest first, that the retention policy no longer keeps (also done
     * after every segment roll); returns how many were deleted. The log's start offset moves up;
     * reads before it are refused.
     *
     * @param nowMillis the wall-clock time age retention measures against
     */
    public synchronized int enforceRetention(long nowMillis) throws IOException {
        ensureOpen();
        return retention.removeExpired(segments.list(), nowMillis, this::segmentRemoved);
    }

    /**
     * Deletes the records below {@code offset} in whole segments, keeping the offsets (Kafka's {@code
     * deleteRecords}): at {@link #nextOffset()} the active segment is rolled first if it holds records,
     * leaving {@code startOffset() == nextOffset()}. Crash-safe and idempotent (docs/log-format.md,
     * "Segment roll and retention"). Returns the start offset after.
     *
     * @throws IllegalArgumentException if {@code offset} is negative or past {@link #nextOffset()}
     */
    public long deleteRecordsBefore(long offset) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (offset < 0 || offset > nextOffset()) {
                throw new IllegalArgumentException(
                        "offset must be in [0, " + nextOffset() + "] (the next offset), was " + offset);
            }
            if (active().size() > 0 && nextOffset() <= offset) {
                roll(active(), nextOffset());
            }
        }
        durability.forceSealed(); // the recovery point passes the cut: a stop or power loss leaves whole segments
        synchronized (this) {
            ensureOpen();
            retention.removeBelow(segments.list(), offset, this::segmentRemoved);
            return startOffset();
        }
    }

    /** A segment retention took out of the log (monitor held). */
    private void segmentRemoved(LogSegment removed) {
        durability.removed(removed);
        firstOffset = segments.first().baseOffset;
    }

    /**
     * The offset of the first record whose timestamp is at or after {@code timestamp} (milliseconds
     * since the epoch), or {@link #nextOffset()} if every record is older: reading from there gets
     * the records of that time on. Uses the time entries of each segment's index.
     */
    public synchronized long offsetForTime(long timestamp) throws IOException {
        ensureOpen();
        long offset = segments.offsetForTime(timestamp);
        return offset >= 0 ? offset : nextOffset();
    }

    /** Bytes of all segments. */
    public synchronized long sizeInBytes() {
        return segments.sizeInBytes();
    }

    /**
     * Returns once every offset below {@code end} is on disk. Appenders arriving while a force is
     * under way wait for the next one, which then covers all of them: many producers share one fsync.
     * For {@link #appendBeforeSync} under {@link FsyncPolicy#everyBatch()}, which {@link
     * #append(RecordBatch.Builder, RecordBatch.Producer)} calls itself.
     */
    public void awaitDurable(long end) throws IOException {
        durability.awaitDurable(end);
    }

    /** Forces performed for {@link FsyncPolicy#everyBatch()} appends (fewer than appends when they are grouped). */
    public long fsyncCount() {
        return durability.forces();
    }

    /**
     * Reads records from {@code fromOffset} on, about {@code maxBytes} of batches (at least one
     * batch if any is there), up to {@link #readableEnd()}. An offset at that end returns nothing.
     * A damaged batch ends the read: the records before it are returned, and a read that starts at it
     * throws {@link CorruptLogException}.
     *
     * @throws IllegalArgumentException if {@code fromOffset} is negative or before the log start
     */
    public List<Record> read(long fromOffset, int maxBytes) throws IOException {
        return read(fromOffset, maxBytes, Record::new);
    }

    /** As {@link #read(long, int)}, each record made by {@code maker} (an engine's own type) instead of a {@link Record}. */
    public <R> List<R> read(long fromOffset, int maxBytes, RecordBatch.RecordMaker<R> maker) throws IOException {
        Arguments.atLeast("maxBytes", maxBytes, 1);
        List<ByteBuffer> batches;
        for (int attempt = 1; ; attempt++) {
            ReadPlan plan;
            synchronized (this) {
                ensureOpen();
                if (fromOffset < startOffset()) {
                    throw new IllegalArgumentException(
                            "fromOffset must be >= the log start offset " + startOffset() + ", was " + fromOffset);
                }
                plan = segments.readPlan(fromOffset, nextOffset());
            }
            try {
                batches = plan.read(fromOffset, maxBytes);
                break;
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (ClosedChannelException e) {
                // Retention deleted a segment under the read (or the log closed): look again, which
                // finds the new start (or the log closed); give up if it keeps happening.
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        // Records appended and not forced yet (every-batch) are left out: read once they are.
        long end = readableEnd();
        return RecordBatch.readRecords(batches, fromOffset, end, maker); // outside the monitor: a copy
    }

    /** Offsets lost when this log was opened, cut from damaged sealed segments under {@link CorruptionPolicy#SKIP}. */
    public long offsetsLostToCorruption() {
        return skippedByCorruption;
    }

    /** The offset the next appended record gets: every record below it can be read. Takes no lock. */
    public long nextOffset() {
        return endOffset;
    }

    /** The first offset still in the log. Takes no lock. */
    public long startOffset() {
        return firstOffset;
    }

    private void publishOffsets() {
        firstOffset = segments.first().baseOffset;
        endOffset = active().nextOffset();
    }

    /** Segments on disk. */
    public synchronized int segmentCount() {
        return segments.count();
    }

    /** Bytes cut from the tail when this log was opened (0 after a clean shutdown). */
    public long truncatedOnOpen() {
        return truncatedOnOpen;
    }

    /** The partition's directory. */
    public Path directory() {
        return dir;
    }

    /** Forces everything appended to disk: sealed segments not yet forced, oldest first, then the active one. */
    public void flush() throws IOException {
        durability.flush();
    }

    /**
     * Every offset below this one is on disk (sealed segments forced); after a power loss, recovery
     * scans the segments from here on and may cut a torn tail there.
     */
    public synchronized long recoveryPoint() {
        return durability.recoveryPoint();
    }

    /** The error that took the log offline (a failed force), if one did; every append and read then fails. */
    public Optional<IOException> offlineCause() {
        return durability.offlineCause();
    }

    /** Throws {@link LogOfflineException} if a failed force took the log offline. Takes no lock. */
    public void requireOnline() throws LogOfflineException {
        durability.requireOnline();
    }

    @Override
    public void close() throws IOException {
        // A force under way finishes (the files are not interruptible anyway), waited for outside
        // the monitor, which a running force needs for a moment.
        durability.stopForces(TimeUnit.MINUTES.toNanos(1));
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                try {
                    durability.forceOnClose();
                } finally {
                    closed = true;
                    segments.closeAll(null);
                }
            }
        } finally {
            if (ownsThreads) {
                flusher.close();
                deleter.close();
            }
        }
    }

    private LogSegment active() {
        return segments.active();
    }

    /** Whether the log is closed (monitor held). */
    boolean isClosed() {
        return closed;
    }

    /** Throws unless the log is open and online (monitor held). */
    void ensureOpen() throws LogOfflineException {
        if (closed) {
            throw new IllegalStateException("partition log " + dir + " is closed");
        }
        requireOnline();
    }
}
