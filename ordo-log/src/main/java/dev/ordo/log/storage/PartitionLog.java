package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's durable, ordered log: segments of record batches with offsets assigned on
 * append, recovered on open (a torn or corrupt tail of the last segment, or of a segment sealed
 * after the {@link #recoveryPoint() recovery point}, is cut and logged), and flushed to disk
 * according to its {@link FsyncPolicy}; sealed segments are forced in the background. A failed
 * force takes the log offline for good ({@link LogOfflineException}). The format is in {@code
 * docs/log-format.md}.
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

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    /** The file of the recovery point: every offset below it is on disk (docs/log-format.md). */
    static final String RECOVERY_POINT_FILE = "recovery-point";
    /** The names of what a partition directory holds (see {@link #isPartitionDirectory}). */
    private static final Pattern PARTITION_FILE =
            Pattern.compile("\\d{20}\\.(log|index)(\\.deleted)?|" + RECOVERY_POINT_FILE + "(\\.tmp)?");

    /**
     * Forces sealed segments in the background, for every partition log of the JVM: a roll used to
     * force the sealed segment inside the log's lock, on the appending thread (a producer's sender),
     * which stalled every partition that thread writes for as long as the disk took to write up to a
     * segment of dirty data (150-630 ms with 128 MiB segments at 340 MB/s on the benchmark VM).
     */
    private static final class Sealer {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ordo-log-seal");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs the interval forces of every partition log of the JVM: one timer thread starts each
     * partition's forces on time, and up to 16 threads force, so that partitions still force
     * together (a force takes 1-18 ms on the benchmark disk). A thread of its own per partition, as
     * before, made hundreds of threads for a few topics once every topic forced by default. The pool's
     * queue holds at most one force per open partition (a tick during a force only marks it due).
     */
    static final class IntervalForces {
        static final ScheduledThreadPoolExecutor TIMER = timer();
        static final ThreadPoolExecutor FORCES = forces();

        private static ScheduledThreadPoolExecutor timer() {
            var timer = new ScheduledThreadPoolExecutor(1, daemon("ordo-log-flush-timer"));
            timer.setRemoveOnCancelPolicy(true); // a closed log's ticks go at once
            return timer;
        }

        private static ThreadPoolExecutor forces() {
            var forces = new ThreadPoolExecutor(
                    16, 16, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("ordo-log-flush"));
            forces.allowCoreThreadTimeOut(true);
            return forces;
        }

        private static ThreadFactory daemon(String name) {
            return r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            };
        }
    }

    private final Path dir;
    private final LogConfig config;
    private final List<LogSegment> segments = new ArrayList<>();
    private final LogSegment.Recovery recovery;
    /** The interval policy's ticks on {@link IntervalForces#TIMER}, or null. */
    private final ScheduledFuture<?> intervalTicks;
    /** Guards {@link #intervalForcing}, {@link #intervalDue} and {@link #intervalStopped}. */
    private final Object intervalLock = new Object();
    /** An interval force of this log runs on {@link IntervalForces#FORCES}. */
    private boolean intervalForcing;
    /** A tick came while it ran: it forces again when done (back to back, when forces outlast the interval). */
    private boolean intervalDue;

    private boolean intervalStopped;
    private final ProducerStateTable producers = new ProducerStateTable();
    /** Group commit: one appender forces the file for everyone whose write came before it. */
    private final Object syncLock = new Object();

    private volatile long durableOffset;
    /**
     * {@link #nextOffset()} and {@link #startOffset()}, published after each append, roll and
     * retention (under the monitor) so that readers checking for news take no lock.
     */
    private volatile long endOffset;

    private volatile long firstOffset;
    private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();
    private boolean dirty;
    private boolean closed;
    /** Sealed segments not yet forced, oldest first (guarded by the monitor). */
    private final ArrayDeque<LogSegment> unforced = new ArrayDeque<>();
    /** Held while forcing sealed segments, so that they are forced in order and the recovery point follows. */
    private final Object sealLock = new Object();
    /** Every offset below it is on disk: segments from it on may have a torn tail after a power loss (monitor). */
    private long recoveryPoint;
    /** Whether {@link #RECOVERY_POINT_FILE} exists (monitor). */
    private boolean recoveryPointStored;
    /** Offsets lost to damaged sealed segments cut on open under {@link CorruptionPolicy#SKIP}. */
    private long skippedByCorruption;
    /**
     * The error of the first force that failed, after which the log is offline (see {@link
     * LogOfflineException}: a later force may succeed without the lost writes); null while healthy.
     */
    private volatile IOException offline;

    private PartitionLog(Path dir, LogConfig config) throws IOException {
        this.dir = dir;
        this.config = config;
        Files.createDirectories(dir);
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogSegment.DELETED_SUFFIX)) {
                    Files.deleteIfExists(file); // removed by retention, not yet deleted when the process stopped
                } else if (name.matches("\\d{20}\\.log")) {
                    bases.add(Long.parseLong(name.substring(0, 20)));
                }
            }
        }
        bases.sort(null);
        if (bases.isEmpty()) {
            bases.add(0L);
        }
        LogSegment.Recovery last = null;
        Long stored = readRecoveryPoint(dir);
        recoveryPointStored = stored != null;
        // Without the file (a log that never rolled, or one written before there was a recovery
        // point), every sealed segment was forced when it was sealed.
        long recoverFrom = stored != null ? stored : bases.get(bases.size() - 1);
        recoveryPoint = recoverFrom;
        List<LogSegment> notForced = new ArrayList<>();
        List<LogSegment> opened = new ArrayList<>(); // closed again if the open fails
        try {
            for (int i = 0; i < bases.size(); i++) {
                LogSegment segment = LogSegment.open(dir, bases.get(i), config.indexIntervalBytes());
                opened.add(segment);
                boolean active = i == bases.size() - 1;
                if (!active && bases.get(i + 1) > recoverFrom) {
                    // Sealed but maybe not forced when the process stopped: after a power loss its tail
                    // may be torn, like an active segment's. Cut there, and drop the later segments,
                    // whose records came after the lost ones (nothing in them was acknowledged as durable).
                    LogSegment.Recovery r = segment.recover(true);
                    segments.add(segment);
                    // Torn: cut, or whole batches missing at its end (the file ends at a batch boundary
                    // short of the next segment's base offset).
                    if (r.truncatedBytes() > 0 || segment.nextOffset() != bases.get(i + 1)) {
                        LOG.warn(
                                "recovered {}: kept {} bytes ending at offset {}, cut {} bytes of torn tail ({}) of a segment "
                                        + "sealed but not yet forced; dropping the {} later segments from offset {}",
                                segment.logFile(),
                                r.validBytes(),
                                segment.nextOffset(),
                                r.truncatedBytes(),
                                r.reason(),
                                bases.size() - 1 - i,
                                bases.get(i + 1));
                        for (int later = i + 1; later < bases.size(); later++) {
                            LogSegment dropped = LogSegment.open(dir, bases.get(later), config.indexIntervalBytes());
                            opened.add(dropped);
                            dropped.delete();
                        }
                        last = r; // the active segment now, and recover(true) forced its cut
                        break;
                    }
                    notForced.add(segment);
                    continue;
                }
                LogSegment.Recovery r = active ? segment.recover(true) : segment.load();
                if (!active && r.truncatedBytes() > 0) {
                    // Damage inside a sealed segment is not a torn write: never pass over it silently.
                    if (config.corruption() == CorruptionPolicy.STOP) {
                        throw CorruptLogException.refusingToOpen(new SegmentDamage(
                                segment.logFile(), r.validBytes(), r.reason(), segment.nextOffset(), bases.get(i + 1)));
                    }
                    segment.recover(true); // cuts at the damage, rebuilds the index
                    long nextBase = bases.get(i + 1);
                    LOG.error(
                            "CORRUPT sealed segment {} at byte {} ({}): policy SKIP cut {} bytes; offsets {}-{} of {} are "
                                    + "lost, reading goes on at offset {}",
                            segment.logFile(),
                            r.validBytes(),
                            r.reason(),
                            r.truncatedBytes(),
                            segment.nextOffset(),
                            nextBase - 1,
                            dir.getFileName(),
                            nextBase);
                    skippedByCorruption += nextBase - segment.nextOffset();
                    r = new LogSegment.Recovery(r.validBytes(), 0, null);
                }
                if (r.truncatedBytes() > 0) {
                    LOG.warn(
                            "recovered {}: kept {} bytes, cut {} bytes of torn or corrupt tail ({})",
                            segment.logFile(),
                            r.validBytes(),
                            r.truncatedBytes(),
                            r.reason());
                }
                segments.add(segment);
                last = r;
            }
            this.recovery = last;
            for (LogSegment segment : notForced) { // complete, but maybe only in the page cache (a crash)
                segment.flush();
            }
            moveRecoveryPoint();
            // Rebuild idempotent-producer state from the batch headers, so retries are recognised after a restart.
            for (int i = 0; i < segments.size(); i++) {
                LogSegment segment = segments.get(i);
                long end = i + 1 < segments.size() ? segments.get(i + 1).baseOffset : segment.nextOffset();
                SegmentDamage damage = segment.forEachBatch(producers::update, end);
                if (damage != null) {
                    // In a sealed segment, where its index let the open pass over it: a read meets it.
                    passedOverOnOpen(segment, damage);
                }
            }
            enforceRetention(System.currentTimeMillis());
            publishOffsets();
            if (syncsEveryBatch()) {
                // What the last run appended may be in the page cache only (the process died before its
                // force): forced now, as readers of an every-batch log see only what is on disk.
                active().flushLog();
                durableOffset = endOffset;
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : opened) { // no file left open by a log that did not open
                try {
                    segment.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (config.fsync() instanceof FsyncPolicy.Interval interval) {
            long nanos = interval.interval().toNanos();
            intervalTicks = IntervalForces.TIMER.scheduleAtFixedRate(
                    this::intervalTick,
                    firstForceDelay(System.nanoTime(), nanos, dir.getFileName().toString()),
                    nanos,
                    TimeUnit.NANOSECONDS);
        } else {
            intervalTicks = null;
        }
    }

    /**
     * Damage in a sealed segment that the open passed over (its index covered it) and the rebuild of
     * producer state met: under {@link CorruptionPolicy#SKIP} the segment is cut there, as the open cuts
     * what it finds itself; under {@link CorruptionPolicy#STOP} the log opens, as it would not have
     * noticed, and says so: reads return every record before the damage, then fail there.
     */
    private void passedOverOnOpen(LogSegment segment, SegmentDamage damage) throws IOException {
        if (config.corruption() == CorruptionPolicy.SKIP) {
            segment.recover(true); // cuts at the damage, rebuilds the index
            LOG.error(
                    "{}: policy SKIP cut the segment there, {} are lost and skipped by readers",
                    damage.describe(),
                    damage.lostOffsets());
            skippedByCorruption += damage.endOffset() - segment.nextOffset();
        } else {
            LOG.error(
                    "{}; reads stop there, {} cannot be read (every record before them can). {}",
                    damage.describe(),
                    damage.lostOffsets(),
                    damage.wayOut());
        }
    }

    /**
     * True if {@code dir} is a directory holding nothing but what a partition log writes (segments,
     * their indexes, segments retention removed and not yet deleted, the recovery point), possibly
     * nothing at all: what may be deleted as a partition.
     */
    public static boolean isPartitionDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.allMatch(
                    f -> PARTITION_FILE.matcher(f.getFileName().toString()).matches());
        }
    }

    /** Opens (creating if needed) the partition log in {@code dir}, recovering its last segment. */
    public static PartitionLog open(Path dir, LogConfig config) throws IOException {
        Objects.requireNonNull(dir, "dir must not be null");
        Objects.requireNonNull(config, "config must not be null");
        return new PartitionLog(dir, config);
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
        if (syncsEveryBatch()) {
            awaitDurable(written[1]);
        }
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

    /** Every offset below this one was forced by an {@link FsyncPolicy#everyBatch()} append or {@link #awaitDurable}. */
    public long durableOffset() {
        return durableOffset;
    }

    /**
     * The offset after the last record {@link #read} returns: {@link #nextOffset()}, or under {@link
     * FsyncPolicy#everyBatch()} {@link #durableOffset()}, so that no reader acts on a record a power
     * loss could still take back (as Kafka's consumers read up to the high watermark). Takes no lock.
     */
    public long readableEnd() {
        return syncsEveryBatch() ? durableOffset : endOffset;
    }

    /** True if appends are durable when they return ({@link FsyncPolicy#everyBatch()}). */
    public boolean syncsEveryBatch() {
        return config.fsync() instanceof FsyncPolicy.EveryBatch;
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
            if (!recoveryPointStored) {
                // Before the first segment that may be sealed unforced exists: from now on a missing
                // file would wrongly mean "every sealed segment is forced" (one write per log, once).
                storeRecoveryPoint(recoveryPoint);
            }
            // Either step may fail (a full disk) and leave the active segment as it was, to be rolled
            // by the next append: the seal cuts a failed write's bytes and writes the index entries
            // (page cache; forced with the log, later), then the next segment is created.
            active.seal();
            LogSegment next = LogSegment.create(dir, baseOffset, config.indexIntervalBytes());
            unforced.addLast(active);
            segments.add(next);
            active = next;
            enforceRetention(System.currentTimeMillis());
            Sealer.EXECUTOR.execute(this::forceSealedQuietly);
        }
        active.append(bytes, info);
        producers.update(info);
        dirty = true;
        endOffset = active.nextOffset();
        return new long[] {baseOffset, info.lastOffset() + 1};
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
        LogConfig.Retention retention = config.retention();
        long total = sizeInBytes();
        int deleted = 0;
        while (segments.size() > 1) {
            LogSegment oldest = segments.get(0);
            boolean overSize = retention.maxBytes() > 0 && total - oldest.size() >= retention.maxBytes();
            boolean expired = retention.maxAge() != null
                    && oldest.maxTimestamp() < nowMillis - retention.maxAge().toMillis();
            if (!overSize && !expired) {
                break;
            }
            segments.remove(0);
            unforced.remove(oldest); // its data no longer matters: the recovery point may pass it
            total -= oldest.size();
            List<Path> files = oldest.markDeleted(); // out of the log at once, its blocks freed later
            Directories.deleteLater(files);
            firstOffset = segments.get(0).baseOffset;
            deleted++;
            LOG.info(
                    "retention deleted segment {} ({} bytes, {}); log now starts at offset {}",
                    oldest.logFile(),
                    oldest.size(),
                    overSize ? "over " + retention.maxBytes() + " bytes" : "older than " + retention.maxAge(),
                    startOffset());
        }
        return deleted;
    }

    /**
     * The offset of the first record whose timestamp is at or after {@code timestamp} (milliseconds
     * since the epoch), or {@link #nextOffset()} if every record is older: reading from there gets
     * the records of that time on. Uses the time entries of each segment's index.
     */
    public synchronized long offsetForTime(long timestamp) throws IOException {
        ensureOpen();
        for (LogSegment segment : segments) {
            long offset = segment.offsetForTime(timestamp);
            if (offset >= 0) {
                return offset;
            }
        }
        return nextOffset();
    }

    /** Bytes of all segments. */
    public synchronized long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments) {
            total += s.size();
        }
        return total;
    }

    /**
     * Returns once every offset below {@code end} is on disk. Appenders arriving while a force is
     * under way wait for the next one, which then covers all of them: many producers share one fsync.
     * For {@link #appendBeforeSync} under {@link FsyncPolicy#everyBatch()}, which {@link
     * #append(RecordBatch.Builder, RecordBatch.Producer)} calls itself.
     */
    public void awaitDurable(long end) throws IOException {
        synchronized (syncLock) {
            if (durableOffset >= end) {
                return;
            }
            // Sealed segments first: an acknowledged batch may lie in one sealed after it was written
            // (only its index is left to force then: its batches were forced as they came).
            forceSealed();
            long target;
            LogSegment segment;
            synchronized (this) {
                ensureOpen();
                target = nextOffset();
                segment = active();
                dirty = false;
            }
            force(segment::flushLog);
            fsyncs.incrementAndGet();
            durableOffset = target;
        }
    }

    /** Forces performed for {@link FsyncPolicy#everyBatch()} appends (fewer than appends when they are grouped). */
    public long fsyncCount() {
        return fsyncs.get();
    }

    /**
     * Reads records from {@code fromOffset} on, about {@code maxBytes} of batches (at least one
     * batch if any is there), up to {@link #readableEnd()}. An offset at that end returns nothing.
     *
     * @throws IllegalArgumentException if {@code fromOffset} is negative or before the log start
     */
    public List<Record> read(long fromOffset, int maxBytes) throws IOException {
        Arguments.atLeast("maxBytes", maxBytes, 1);
        List<ByteBuffer> batches = List.of();
        for (int attempt = 1; ; attempt++) {
            // Where to read, under the monitor (the index and sizes change with appends); the file
            // itself read outside it, so that an append never waits for a reader's system calls.
            List<LogSegment> from;
            long start;
            long startOffset;
            long[] limits;
            synchronized (this) {
                ensureOpen();
                if (fromOffset < startOffset()) {
                    throw new IllegalArgumentException(
                            "fromOffset must be >= the log start offset " + startOffset() + ", was " + fromOffset);
                }
                from = List.copyOf(segments.subList(segmentFor(fromOffset), segments.size()));
                start = from.get(0).readStart(fromOffset); // later segments are read from their start
                startOffset = from.get(0).readStartOffset(fromOffset);
                limits = new long[from.size()];
                for (int i = 0; i < from.size(); i++) {
                    limits[i] = from.get(i).size();
                }
            }
            int i = 0;
            try {
                for (; i < from.size() && batches.isEmpty(); i++) {
                    batches = from.get(i).read(fromOffset, maxBytes, i == 0 ? start : 0, limits[i]);
                }
                break;
            } catch (LogSegment.DamagedBatch damaged) {
                LogSegment segment = from.get(i);
                long first = damaged.firstOffset >= 0 ? damaged.firstOffset : i == 0 ? startOffset : segment.baseOffset;
                long end = i + 1 < from.size() ? from.get(i + 1).baseOffset : nextOffset();
                throw CorruptLogException.onRead(
                        new SegmentDamage(segment.logFile(), damaged.position, damaged.getMessage(), first, end));
            } catch (java.nio.channels.ClosedByInterruptException e) {
                throw e;
            } catch (java.nio.channels.ClosedChannelException e) {
                // Retention deleted a segment under the read (or the log closed): look again, which
                // finds the new start (or the log closed); give up if it keeps happening.
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        // Decoded outside the monitor too: the bytes are a copy.
        int records = 0;
        for (ByteBuffer batch : batches) {
            records += RecordBatch.recordCount(batch);
        }
        List<Record> out = new ArrayList<>(records); // sized once: growing it was 6% of a consumer's allocation
        for (ByteBuffer batch : batches) {
            RecordBatch.readRecords(batch, fromOffset, out);
        }
        long end = readableEnd();
        int readable = out.size();
        while (readable > 0 && out.get(readable - 1).offset() >= end) {
            readable--; // appended, not forced yet (every-batch): read once it is
        }
        return readable == out.size() ? out : out.subList(0, readable);
    }

    /** Offsets lost when this log was opened, cut from damaged sealed segments under {@link CorruptionPolicy#SKIP}. */
    public synchronized long offsetsLostToCorruption() {
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
        firstOffset = segments.get(0).baseOffset;
        endOffset = active().nextOffset();
    }

    /** Segments on disk. */
    public synchronized int segmentCount() {
        return segments.size();
    }

    /** Bytes cut from the tail when this log was opened (0 after a clean shutdown). */
    public long truncatedOnOpen() {
        return recovery.truncatedBytes();
    }

    /** Forces everything appended to disk: sealed segments not yet forced, oldest first, then the active one. */
    public void flush() throws IOException {
        forceSealed();
        flushActive();
    }

    /**
     * Forces the sealed segments not yet forced, oldest first, each outside the monitor (appends and
     * reads go on), moving the recovery point past each. Returns at once if the log is closed.
     */
    void forceSealed() throws IOException {
        synchronized (sealLock) {
            while (true) {
                requireOnline();
                LogSegment next;
                synchronized (this) {
                    next = closed ? null : unforced.peekFirst();
                }
                if (next == null) {
                    return;
                }
                try {
                    next.flush();
                } catch (java.nio.channels.ClosedChannelException e) {
                    synchronized (this) {
                        if (!closed && unforced.contains(next)) {
                            throw e;
                        }
                    }
                    continue; // deleted by retention (or the log closed, which forced it) meanwhile
                } catch (IOException e) {
                    throw goOffline(e);
                }
                synchronized (this) {
                    unforced.remove(next);
                    if (!closed) {
                        moveRecoveryPoint();
                    }
                }
            }
        }
    }

    /** The background task of a roll: an error is logged (a failed force took the log offline, and said so). */
    private void forceSealedQuietly() {
        try {
            forceSealed();
        } catch (LogOfflineException e) {
            // logged when the log went offline
        } catch (IOException | RuntimeException e) {
            LOG.error("forcing sealed segments of {} failed; the next flush or roll retries", dir, e);
        }
    }

    /**
     * Every offset below this one is on disk (sealed segments forced); after a power loss, recovery
     * scans the segments from here on and may cut a torn tail there.
     */
    public synchronized long recoveryPoint() {
        return recoveryPoint;
    }

    /** Moves the recovery point to the oldest segment not known forced, storing it if it moved (monitor held). */
    private void moveRecoveryPoint() throws IOException {
        long point = unforced.isEmpty() ? active().baseOffset : unforced.peekFirst().baseOffset;
        if (point > recoveryPoint || (!recoveryPointStored && segments.size() > 1)) {
            storeRecoveryPoint(Math.max(point, recoveryPoint));
        }
    }

    /** Stores the recovery point (monitor held). */
    private void storeRecoveryPoint(long point) throws IOException {
        writeRecoveryPoint(dir, point);
        recoveryPoint = point;
        recoveryPointStored = true;
    }

    /** Writes {@code dir}'s recovery point file atomically: 8 bytes of offset, 4 of their CRC32C. */
    static void writeRecoveryPoint(Path dir, long point) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(12).putLong(point);
        bytes.putInt(crcOfFirst8(bytes.array()));
        AtomicFile.write(dir.resolve(RECOVERY_POINT_FILE), bytes.array());
    }

    /**
     * The stored recovery point, or null if there is none; a damaged file counts as none (every sealed
     * segment is then trusted as forced, so damage in one stops the open, as the corruption policy says).
     */
    static Long readRecoveryPoint(Path dir) throws IOException {
        Path file = dir.resolve(RECOVERY_POINT_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != 12 || ByteBuffer.wrap(bytes).getInt(8) != crcOfFirst8(bytes)) {
            LOG.error("damaged {} ({} bytes): ignored, sealed segments are trusted as forced", file, bytes.length);
            return null;
        }
        return ByteBuffer.wrap(bytes).getLong(0);
    }

    /** The CRC32C of the recovery point file's offset bytes. */
    private static int crcOfFirst8(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 8);
        return (int) crc.getValue();
    }

    /** Forces the active segment's log if anything was appended since the last force. */
    private void flushActive() throws IOException {
        LogSegment segment;
        synchronized (this) {
            if (!dirty || closed) {
                return;
            }
            requireOnline();
            segment = active();
            dirty = false; // an append from now on marks the log dirty again for the next flush
        }
        // Forced outside the monitor: appends and reads go on while the disk works. The log file
        // only: the active segment's index is rebuilt on open, and a sealed segment has both forced.
        force(segment::flushLog);
    }

    /** A force of this log's files. */
    private interface Force {
        void run() throws IOException;
    }

    /** Runs a force; if it fails, the log goes offline and {@link LogOfflineException} is thrown. */
    private void force(Force force) throws IOException {
        try {
            force.run();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw e; // closed under the force (the log closing): nothing was lost by the force
        } catch (IOException e) {
            throw goOffline(e);
        }
    }

    /**
     * Takes the log offline after a failed force (the first error is kept and logged); returns the
     * exception to throw. The recovery point and the durable offset stay where the last successful
     * forces left them, so a restart recovers from there.
     */
    private LogOfflineException goOffline(IOException cause) {
        synchronized (this) {
            if (offline == null) {
                offline = cause;
                if (intervalTicks != null) {
                    intervalTicks.cancel(false); // nothing is forced any more
                }
                LOG.error(
                        "partition log {} is OFFLINE: forcing it to disk failed; appends, forces and reads now fail."
                                + " Records from offset {} (every-batch: durable offset {}) may not be on disk. Reopen it (restart"
                                + " the engine) once the disk is fixed",
                        dir,
                        recoveryPoint,
                        durableOffset,
                        cause);
            }
            return new LogOfflineException(dir, offline);
        }
    }

    /** The error that took the log offline (a failed force), if one did; every append and read then fails. */
    public Optional<IOException> offlineCause() {
        return Optional.ofNullable(offline);
    }

    /** Throws {@link LogOfflineException} if a failed force took the log offline. Takes no lock. */
    public void requireOnline() throws LogOfflineException {
        IOException cause = offline;
        if (cause != null) {
            throw new LogOfflineException(dir, cause);
        }
    }

    @Override
    public void close() throws IOException {
        if (intervalTicks != null) {
            // A force under way finishes (the files are not interruptible anyway), waited for outside
            // the monitor, which a running force needs for a moment.
            intervalTicks.cancel(false);
            awaitIntervalForce(TimeUnit.MINUTES.toNanos(1));
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                if (offline == null) {
                    // Sealed segments still unforced are forced here, under the monitor (a background
                    // force of the same segment may run at the same time: harmless), then the active one.
                    for (LogSegment sealed : unforced) {
                        force(sealed::flush);
                    }
                    unforced.clear();
                    moveRecoveryPoint();
                    flushActive();
                } // else: not forced again, nor the recovery point moved (a force now could "succeed")
            } finally {
                closed = true;
                for (LogSegment s : segments) {
                    s.close();
                }
            }
        }
    }

    /**
     * Intervals from which each partition forces at a phase of its own instead of on the shared grid.
     * Measured on the benchmark VM (1 KiB at 300 k records/s, two pairs each, p99 aligned / own
     * phase): 5 ms 4.3, 4.1 / 9.9, 20.2 ms; 20 ms 5.9, 5.7 / 3.7, 10.1 ms; 100 ms 27.0, 13.7 / 5.1, 6.7 ms.
     */
    static final long OWN_PHASE_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * How long after {@code nowNanos} the first interval force of the partition {@code name} starts.
     * Short intervals: on a grid shared by every partition (multiples of the interval on the
     * monotonic clock), so that forces run together and share journal commits and device flushes
     * (about half as many flushes for 8 partitions every 5 ms, which freeze the benchmark VM). Long
     * intervals ({@link #OWN_PHASE_FROM_NANOS} and more): at a phase of the interval taken from the
     * partition's name, so that their larger forces do not run together: forced together while the
     * files grow, they held records up 30-47 ms ({@code ForceStallProbe}, BENCHMARKS.md session 8).
     */
    static long firstForceDelay(long nowNanos, long intervalNanos, String name) {
        long phase = 0;
        if (intervalNanos >= OWN_PHASE_FROM_NANOS) {
            // A partition directory is "<topic>-<partition>": partition p of a topic starts at the
            // fraction p x 0.618... (golden ratio) of the interval, shifted per topic, which spreads
            // any number of partitions evenly; random phases from a hash bunched up (5 of 8 within 6%).
            int dash = name.lastIndexOf('-');
            String topic = dash > 0 ? name.substring(0, dash) : name;
            long partition = 0;
            try {
                partition = dash > 0 ? Long.parseLong(name.substring(dash + 1)) : 0;
            } catch (NumberFormatException e) {
                topic = name; // not a partition directory name: the hash alone decides
            }
            double topicShift = (topic.hashCode() & 0xffffL) / 65536.0;
            double fraction = (topicShift + partition * 0.6180339887498949) % 1.0;
            phase = (long) (fraction * intervalNanos);
        }
        long delay = Math.floorMod(phase - nowNanos, intervalNanos);
        return delay == 0 ? intervalNanos : delay;
    }

    /** A tick of the interval policy (timer thread): starts a force unless one runs, which then forces again. */
    private void intervalTick() {
        synchronized (intervalLock) {
            if (intervalStopped) {
                return;
            }
            if (intervalForcing) {
                intervalDue = true;
                return;
            }
            intervalForcing = true;
        }
        IntervalForces.FORCES.execute(this::intervalForce);
    }

    /** Forces, again at once for every tick that came meanwhile (on {@link IntervalForces#FORCES}). */
    private void intervalForce() {
        while (true) {
            flushQuietly();
            synchronized (intervalLock) {
                if (!intervalDue || intervalStopped) {
                    intervalForcing = false;
                    intervalLock.notifyAll();
                    return;
                }
                intervalDue = false;
            }
        }
    }

    /** Stops the interval forces, waiting up to {@code nanos} for one under way to end. */
    private void awaitIntervalForce(long nanos) {
        long deadline = System.nanoTime() + nanos;
        synchronized (intervalLock) {
            intervalStopped = true;
            try {
                for (long left = nanos; intervalForcing && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(intervalLock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The interval policy's force: an error is logged and the next interval tries again. */
    private void flushQuietly() {
        try {
            flush();
        } catch (LogOfflineException e) {
            // logged when the log went offline; nothing is forced from then on
        } catch (java.nio.channels.ClosedChannelException e) {
            // closed (or the segment deleted by retention) while forcing: nothing left to force
        } catch (IOException | RuntimeException e) {
            LOG.error("interval flush of {} failed; retrying at the next interval", dir, e);
        }
    }

    private LogSegment active() {
        return segments.get(segments.size() - 1);
    }

    private int segmentFor(long offset) {
        int i = segments.size() - 1;
        while (i > 0 && segments.get(i).baseOffset > offset) {
            i--;
        }
        return i;
    }

    private void ensureOpen() throws LogOfflineException {
        if (closed) {
            throw new IllegalStateException("partition log " + dir + " is closed");
        }
        requireOnline();
    }
}
