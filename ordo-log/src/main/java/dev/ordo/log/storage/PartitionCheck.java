package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline checks of a partition directory, on which no log is open (the caller holds the data
 * directory's lock): {@link #find} reads every batch of every segment, as a read or a recovery
 * would, and reports the damage without changing a byte (an open trusts the part of a sealed segment
 * its index covers, so damage there shows only when it is read); {@link #repair} cuts each damaged
 * segment at its first damaged batch, as {@link CorruptionPolicy#SKIP} does on open, and keeps every
 * other segment.
 *
 * <pre>{@code
 * for (SegmentDamage damage : PartitionCheck.find(dir)) {
 *     System.out.println(damage); // where, why, and the offsets a repair loses
 * }
 * }</pre>
 */
public final class PartitionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionCheck.class);

    private PartitionCheck() {}

    /**
     * The first damaged batch of each segment of the partition in {@code dir}, oldest segment
     * first; nothing is changed.
     */
    public static List<SegmentDamage> find(Path dir) throws IOException {
        List<Long> bases = SegmentFileNames.baseOffsets(dir);
        List<SegmentDamage> found = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            Path file = dir.resolve(SegmentFileNames.fileName(bases.get(i), ".log"));
            long end = i + 1 < bases.size() ? bases.get(i + 1) : -1;
            SegmentDamage damage = scan(file, bases.get(i), end);
            if (damage != null) {
                found.add(damage);
            }
        }
        return found;
    }

    /**
     * Cuts each damaged segment of the partition in {@code dir} at its first damaged batch (its index
     * is deleted, to be rebuilt on open), forces every segment and moves the recovery point to the last
     * one: the next open finds nothing to cut. Returns the damage cut, with the offsets each lost.
     */
    public static List<SegmentDamage> repair(Path dir) throws IOException {
        List<SegmentDamage> found = find(dir);
        if (found.isEmpty()) {
            return found;
        }
        for (SegmentDamage damage : found) {
            try (FileChannel log = FileChannel.open(damage.segment(), StandardOpenOption.WRITE)) {
                log.truncate(damage.position());
                log.force(true);
            }
            String name = damage.segment().getFileName().toString();
            Files.deleteIfExists(damage.segment().resolveSibling(name.replace(".log", ".index")));
            LOG.error(
                    "repaired: cut {} at byte {} ({}); {} are lost",
                    damage.segment(),
                    damage.position(),
                    damage.reason(),
                    damage.lostOffsets());
        }
        // Every segment kept is whole; forced, none of them needs the open's scan for a torn tail.
        List<Long> bases = SegmentFileNames.baseOffsets(dir);
        for (long base : bases) {
            for (String suffix : List.of(".log", ".index")) {
                Path file = dir.resolve(SegmentFileNames.fileName(base, suffix));
                if (Files.exists(file)) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                }
            }
        }
        RecoveryPointFile.write(dir, bases.get(bases.size() - 1));
        return found;
    }

    /** The first damaged batch of the segment {@code file} (base offset {@code base}), or null if it is whole. */
    private static SegmentDamage scan(Path file, long base, long end) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileBatches batches = new FileBatches(channel::read, 0, channel.size());
            long expected = base;
            while (true) {
                long position = batches.position();
                String reason;
                try {
                    RecordBatch.Info info = batches.next();
                    if (info == null) {
                        return null;
                    }
                    if (info.baseOffset() == expected) {
                        expected = info.lastOffset() + 1;
                        continue;
                    }
                    reason = "batch at position " + position + " has base offset " + info.baseOffset() + ", expected "
                            + expected;
                } catch (CorruptRecordException e) {
                    reason = e.getMessage();
                }
                return new SegmentDamage(file, position, reason, expected, end);
            }
        }
    }
}
