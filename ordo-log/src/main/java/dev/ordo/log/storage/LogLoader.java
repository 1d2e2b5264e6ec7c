package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery of a partition's segments when its log opens (Kafka's {@code LogLoader}), step by step
 * in {@link #load()}: what a stop, a crash or a power loss left is cut where it is not whole, damage
 * is handled as the {@link CorruptionPolicy} says, and the producer state is rebuilt from the batch
 * headers. The rules are in docs/log-format.md, "Recovery"; every segment it opened is closed again
 * if the open fails.
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /**
     * What the open found and kept.
     *
     * @param segments the segments, oldest first, the last one active
     * @param truncatedBytes bytes cut from the tail of the (new) active segment
     * @param recoveryPoint the recovery point, stored
     * @param producers the idempotent producers' state, from every batch header
     * @param offsetsLostToCorruption offsets cut from damaged sealed segments under {@link CorruptionPolicy#SKIP}
     */
    record Loaded(
            List<LogSegment> segments,
            long truncatedBytes,
            RecoveryPointFile recoveryPoint,
            ProducerStateTable producers,
            long offsetsLostToCorruption) {}

    private final Path dir;
    private final LogConfig config;
    /** Every segment opened, to close again if the open fails (dropped ones too). */
    private final List<LogSegment> opened = new ArrayList<>();
    /** The segments kept, oldest first. */
    private final List<LogSegment> segments = new ArrayList<>();
    /** Sealed segments after the recovery point that were whole: forced before the open returns. */
    private final List<LogSegment> notForced = new ArrayList<>();

    private final ProducerStateTable producers = new ProducerStateTable();
    private long offsetsLost;

    private LogLoader(Path dir, LogConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Recovers the partition in {@code dir} (created if missing). */
    static Loaded load(Path dir, LogConfig config) throws IOException {
        Files.createDirectories(dir);
        return new LogLoader(dir, config).load();
    }

    private Loaded load() throws IOException {
        List<Long> bases = segmentBasesDeletingRemoved();
        RecoveryPointFile recoveryPoint = RecoveryPointFile.load(dir, bases.get(bases.size() - 1));
        try {
            long truncated = 0;
            for (int i = 0; i < bases.size(); i++) {
                LogSegment segment = open(bases.get(i));
                if (i == bases.size() - 1) {
                    truncated = recoverActive(segment);
                } else if (bases.get(i + 1) > recoveryPoint.offset()) {
                    long cut = recoverSealedAfterRecoveryPoint(segment, bases.subList(i + 1, bases.size()));
                    if (cut >= 0) { // torn: the later segments are gone and this one is the active one
                        truncated = cut;
                        break;
                    }
                } else {
                    loadSealed(segment, bases.get(i + 1));
                }
            }
            for (LogSegment segment : notForced) { // whole, but maybe only in the page cache (a crash)
                segment.flush();
            }
            recoveryPoint.advance(segments.get(segments.size() - 1).baseOffset, segments.size() > 1);
            rebuildProducerState();
            return new Loaded(List.copyOf(segments), truncated, recoveryPoint, producers, offsetsLost);
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
    }

    /** The base offsets of the segments, deleting files retention removed and a stop kept from deleting. */
    private List<Long> segmentBasesDeletingRemoved() throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(SegmentFileNames.DELETED_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (name.matches("\\d{20}\\.log")) {
                    bases.add(Long.parseLong(name.substring(0, 20)));
                }
            }
        }
        bases.sort(null);
        if (bases.isEmpty()) {
            bases.add(0L);
        }
        return bases;
    }

    private LogSegment open(long base) throws IOException {
        LogSegment segment = LogSegment.open(dir, base, config.indexIntervalBytes());
        opened.add(segment);
        return segment;
    }

    /** The active segment: scanned whole, a torn or corrupt tail cut. Returns the bytes cut. */
    private long recoverActive(LogSegment segment) throws IOException {
        LogSegment.Recovery r = segment.recover(true);
        if (r.truncatedBytes() > 0) {
            LOG.warn(
                    "recovered {}: kept {} bytes, cut {} bytes of torn or corrupt tail ({})",
                    segment.logFile(),
                    r.validBytes(),
                    r.truncatedBytes(),
                    r.reason());
        }
        segments.add(segment);
        return r.truncatedBytes();
    }

    /**
     * A segment sealed but maybe not forced when the process stopped (it ends after the recovery
     * point): after a power loss its tail may be torn, like an active segment's. If it is (cut, or
     * whole batches missing at its end), it is cut there and the {@code later} segments are deleted,
     * as their records came after lost ones (nothing in them was acknowledged as durable); it becomes
     * the active segment. Returns the bytes cut, or -1 if it was whole.
     */
    private long recoverSealedAfterRecoveryPoint(LogSegment segment, List<Long> later) throws IOException {
        LogSegment.Recovery r = segment.recover(true);
        segments.add(segment);
        if (r.truncatedBytes() == 0 && segment.nextOffset() == later.get(0)) {
            notForced.add(segment);
            return -1;
        }
        LOG.warn(
                "recovered {}: kept {} bytes ending at offset {}, cut {} bytes of torn tail ({}) of a segment "
                        + "sealed but not yet forced; dropping the {} later segments from offset {}",
                segment.logFile(),
                r.validBytes(),
                segment.nextOffset(),
                r.truncatedBytes(),
                r.reason(),
                later.size(),
                later.get(0));
        for (long base : later) {
            open(base).delete();
        }
        return r.truncatedBytes(); // recover(true) forced the cut
    }

    /**
     * A sealed segment before the recovery point, forced when it was sealed: opened through its index,
     * scanned from the last entry on. Damage found there is not a torn write: the open stops under
     * {@link CorruptionPolicy#STOP}; under {@link CorruptionPolicy#SKIP} the segment is cut there.
     */
    private void loadSealed(LogSegment segment, long nextBase) throws IOException {
        LogSegment.Recovery r = segment.load();
        segments.add(segment);
        if (r.truncatedBytes() > 0) {
            damaged(
                    segment,
                    new SegmentDamage(segment.logFile(), r.validBytes(), r.reason(), segment.nextOffset(), nextBase));
        }
    }

    /**
     * Rebuilds the idempotent producers' state from every batch header, so that retries are recognised
     * after a restart. Damage in a sealed segment that its index let the open pass over shows here.
     */
    private void rebuildProducerState() throws IOException {
        for (int i = 0; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            long end = i + 1 < segments.size() ? segments.get(i + 1).baseOffset : segment.nextOffset();
            SegmentDamage damage = segment.forEachBatch(producers::update, end);
            if (damage != null) {
                passedOver(segment, damage);
            }
        }
    }

    /** Damage found in a sealed segment by its load: refused under STOP, cut under SKIP. */
    private void damaged(LogSegment segment, SegmentDamage damage) throws IOException {
        if (config.corruption() == CorruptionPolicy.STOP) {
            throw CorruptLogException.refusingToOpen(damage);
        }
        cut(segment, damage);
    }

    /**
     * Damage the open passed over (the segment's index covered it) and the rebuild of producer state
     * met: cut under SKIP, as the load cuts what it finds; under STOP the log opens, as it would not
     * have noticed, and says so: reads return every record before the damage, then fail there.
     */
    private void passedOver(LogSegment segment, SegmentDamage damage) throws IOException {
        if (config.corruption() == CorruptionPolicy.SKIP) {
            cut(segment, damage);
        } else {
            LOG.error(
                    "{}; reads stop there, {} cannot be read (every record before them can). {}",
                    damage.describe(),
                    damage.lostOffsets(),
                    damage.wayOut());
        }
    }

    /** Cuts a sealed segment at its damage under {@link CorruptionPolicy#SKIP}; readers skip the offsets lost. */
    private void cut(LogSegment segment, SegmentDamage damage) throws IOException {
        segment.recover(true); // cuts at the damage, rebuilds the index
        LOG.error(
                "{}: policy SKIP cut the segment there, {} are lost and skipped by readers",
                damage.describe(),
                damage.lostOffsets());
        offsetsLost += damage.endOffset() - segment.nextOffset();
    }
}
