package dev.ordo.migrate;

import dev.ordo.engine.Header;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a source topic's records to the target topic in steps, each written with the migration's new
 * {@link MigrationState} by the target's {@link MigrationTarget.Writer}: a crash loses a whole step or
 * nothing, and the next copier goes on exactly where the state says.
 *
 * <p>Order: a key's records go to the partition the target's partitioner gives the key (null keys: source
 * partition modulo the target's count), so producers sending to the target after the switch follow them.
 * The source's layouts are copied oldest first, and a layout only once every record of the earlier ones is
 * copied: within one layout a key lives in one partition, so each key's records reach the target in the
 * order its consumers would have handled them. Each copied record keeps its key, value, headers and
 * timestamp and gains {@value #FROM_HEADER} ({@code partition/offset} in the source).
 */
final class Copier implements AutoCloseable {

    /** Under the migration's name: what operators see logged is the migration's. */
    private static final Logger LOG = LoggerFactory.getLogger(TopicMigration.class);

    /** The header naming where a copied record came from: {@code "<partition>/<offset>"}. */
    static final String FROM_HEADER = "ordo.migrated.from";

    private static final int READ_BYTES = 1 << 20;
    /** Records per step at most, by default: a step is one transaction, redone whole after a crash. */
    static final int STEP_RECORDS = 20_000;

    private final MigrationSource source;
    /** Records per step at most. */
    final int stepRecords;

    private final MigrationTarget.Writer writer;
    /** Written by the copying thread, read by any (lag, phase). */
    private volatile MigrationState state;

    private volatile long copied;
    private volatile long skippedAsDeleted;
    /** Skipped as deleted by the step under way: counted once it commits. */
    private long stepSkipped;

    Copier(MigrationSource source, int stepRecords, MigrationTarget.Writer writer, MigrationState state) {
        this.source = source;
        this.stepRecords = stepRecords;
        this.writer = writer;
        this.state = state;
    }

    /** The state as last committed. */
    MigrationState state() {
        return state;
    }

    /** Records copied by this copier so far. */
    long copied() {
        return copied;
    }

    /**
     * Copies one step, at most {@link #stepRecords} records, and commits it with the new state;
     * returns how many records it copied (0: nothing was left to copy when it looked).
     */
    int step() throws IOException {
        TopicLayout layout = source.layout();
        long[] next = Arrays.copyOf(state.next(), layout.existing());
        List<TopicLayout.Layout> layouts = layout.layouts();
        int count = 0;
        stepSkipped = 0;
        writer.begin();
        try {
            for (int j = 0; j < layouts.size() && count < stepRecords; j++) {
                TopicLayout.Layout current = layouts.get(j);
                boolean finished = true;
                for (int p = 0; p < current.partitions(); p++) {
                    long end = j == layouts.size() - 1
                            ? source.endOffset(p)
                            : layouts.get(j + 1).start(p);
                    count += copyRange(p, next, end, stepRecords - count);
                    finished &= next[p] >= end;
                }
                if (!finished) {
                    break; // the next layout's records wait until this one's are all copied
                }
            }
            MigrationState stepped = state.copied(next);
            writer.commit(stepped);
            state = stepped;
        } catch (IOException | RuntimeException e) {
            writer.abort(e);
            throw e;
        }
        copied += count;
        skippedAsDeleted += stepSkipped;
        return count;
    }

    /** Offsets of the source found deleted before they were copied, by this copier. */
    long skippedAsDeleted() {
        return skippedAsDeleted;
    }

    /** Whether every record below {@code ends} (per source partition) is copied. */
    boolean reached(long[] ends) {
        for (int p = 0; p < ends.length; p++) {
            if (Math.max(state.next(p), source.startOffset(p)) < ends[p]) {
                return false;
            }
        }
        return true;
    }

    /** Commits {@code next} as the migration's state in a step of its own (no records). */
    void record(MigrationState next) throws IOException {
        writer.begin();
        try {
            writer.commit(next);
            state = next;
        } catch (IOException | RuntimeException e) {
            writer.abort(e);
            throw e;
        }
    }

    /** Copies partition {@code p} from {@code next[p]} to {@code end}, at most {@code budget} records. */
    private int copyRange(int p, long[] next, long end, int budget) throws IOException {
        long start = source.startOffset(p);
        if (start > next[p]) { // retention (or deleteRecords) deleted them first: nobody can read them now
            LOG.warn(
                    "{}: offsets {} to {} of partition {} were deleted before they were copied; skipped",
                    source.describe(),
                    next[p],
                    start - 1,
                    p);
            stepSkipped += start - next[p];
            next[p] = start;
        }
        int count = 0;
        while (count < budget && next[p] < end) {
            MigrationSource.Batch batch = source.read(p, next[p], READ_BYTES);
            if (batch.records().isEmpty()) {
                next[p] = Math.max(next[p], Math.min(batch.next(), end)); // past offsets holding no record
                return count;
            }
            for (Record record : batch.records()) {
                if (record.offset() >= end || count == budget) {
                    return count;
                }
                writer.send(p % state.partitions(), copy(p, record));
                next[p] = record.offset() + 1;
                count++;
            }
        }
        return count;
    }

    /** The record with {@value #FROM_HEADER} added. */
    private static Record copy(int p, Record record) {
        List<Header> headers = new ArrayList<>(record.headers().size() + 1);
        headers.addAll(record.headers());
        headers.add(new Header(FROM_HEADER, (p + "/" + record.offset()).getBytes(StandardCharsets.US_ASCII)));
        return new Record(record.offset(), record.timestamp(), record.key(), record.value(), headers);
    }

    @Override
    public void close() {
        writer.close();
    }

    /** Where {@code record} was copied from, by its {@value #FROM_HEADER}: {@code {partition, offset}}, or null. */
    static long[] source(Record record) {
        List<Header> headers = record.headers();
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(FROM_HEADER)) {
                String text = new String(headers.get(i).value(), StandardCharsets.US_ASCII);
                int slash = text.indexOf('/');
                return new long[] {Long.parseLong(text.substring(0, slash)), Long.parseLong(text.substring(slash + 1))};
            }
        }
        return null;
    }
}
