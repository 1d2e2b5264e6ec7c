package dev.ordo.log.consumer;

import dev.ordo.engine.Header;
import dev.ordo.engine.Headers;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.RawRecord;
import dev.ordo.engine.core.RecordDispatcher;
import dev.ordo.log.engine.AppendSignal;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.GroupCoordinator;
import dev.ordo.log.storage.LogOfflineException;
import dev.ordo.partition.Partitioner;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetcher thread of an {@link OrdoConsumer}: it follows the group's assignment (taking up
 * partitions, handing them over drained and committed), reads the owned partitions from their fetch
 * positions, hands the records to the {@link RecordDispatcher} while it has room, and commits at the
 * commit interval ({@link FetcherCommits}): the offsets file in the background, a committed state at a
 * moment no handler runs. Its state is the fetcher thread's, but for {@link #position} and {@link
 * #assignment} (read by any thread) and {@link #commitAndLeave}, which the closing thread calls after
 * {@link #stop}.
 */
final class GroupFetcher {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);

    private static final int FETCH_BYTES = 1 << 20;

    /** The longest an idle fetcher sleeps without a signal (rebalances are noticed at this pace). */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The longest the fetcher waits for handlers before it looks at rebalances, closing and stalls again. */
    static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EmbeddedLog log;
    private final String topic;
    /** How long a close waits for the fetcher after interrupting it. */
    private static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ConsumerSettings<?, ?> settings;
    private final RecordDispatcher<?, ?> dispatcher;
    private final ConsumerProgress progress;
    private final GroupCoordinator.Member member;
    /** Where a partition starts when acquired for the first time, if not at the committed offset. */
    private final Map<Integer, Long> initialPositions;
    /** Told whether every partition the group gives this consumer is owned (awaitCaughtUp waits for it). */
    private final Consumer<Boolean> settled;
    /** Told why fetching stopped before close. */
    private final Consumer<Throwable> failed;

    private final long commitIntervalNanos;

    /** Per partition, the offset of the next record to dispatch (fetcher thread; read racily by gauges). */
    private long[] fetchPosition;
    /** Per partition, records read and not yet dispatched (fetcher thread only). */
    private ArrayDeque<RawRecord>[] fetched;
    /** The records of a hand-over to the dispatcher, which does not keep the list (fetching thread only). */
    private final ArrayList<RawRecord> dispatching = new ArrayList<>();
    /** Places keys as the topic does: what a record fenced behind a change of the partition count is checked by. */
    private final Partitioner placement;
    /** Whether records wait for their key's records in partitions it left (off only in a test showing why). */
    private final boolean fenced;
    /** Partitions whose next record waits for another partition's records, and since when (fetcher thread). */
    private final Map<Integer, LayoutFence.Wait> fenceWaits = new HashMap<>();
    /** What {@link #fenceWaits} hold, for any thread ({@link #fenceHolds()}). */
    private volatile Map<Integer, String> fenceHolds = Map.of();
    /** Layouts of the topic this group has finished with (they only grow; fetcher thread). */
    private int finishedLayouts;
    /** Partitions this consumer fetches now, and those it should own (fetcher thread only). */
    private final Set<Integer> owned = new TreeSet<>();

    private Set<Integer> wanted = Set.of();
    private int seenGeneration = -1;
    private volatile Set<Integer> assignmentView = Set.of();

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final FetcherCommits commits;
    private final Thread thread;

    /**
     * @param partitions the topic's partition count
     * @param fenced whether a record waits for its key's records in partitions the key left (see {@link LayoutFence})
     * @param settled told whether the group's partitions for this consumer are all owned
     * @param failed told why fetching stopped before close
     */
    @SuppressWarnings("unchecked")
    GroupFetcher(
            EmbeddedLog log,
            ConsumerSettings<?, ?> settings,
            RecordDispatcher<?, ?> dispatcher,
            GroupCoordinator.Member member,
            ConsumerProgress progress,
            Map<Integer, Long> initialPositions,
            int partitions,
            boolean fenced,
            Consumer<Boolean> settled,
            Consumer<Throwable> failed) {
        this.log = log;
        this.topic = settings.topic();
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.member = member;
        this.progress = progress;
        this.initialPositions = initialPositions;
        this.settled = settled;
        this.failed = failed;
        this.commitIntervalNanos = settings.commitInterval().toNanos();
        this.fetchPosition = new long[0];
        this.fetched = new ArrayDeque[0];
        cover(partitions);
        this.placement = ClientAccess.placement(log, topic).partitioner();
        this.fenced = fenced;
        this.commits = new FetcherCommits(progress, dispatcher, owned, running, topic, settings.group());
        this.thread = new Thread(this::fetchLoop, "ordo-fetch-" + settings.group() + "-" + topic);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Partitions whose next record waits behind a change of the partition count, and for what. */
    Map<Integer, String> fenceHolds() {
        return fenceHolds;
    }

    /** The partitions this consumer owns now. */
    Set<Integer> assignment() {
        return assignmentView;
    }

    /** The share of the group's keys whose member changed at its last reassignment. */
    double keysMoved() {
        return member.group().keysMoved();
    }

    /** The offset of the next record of {@code partition} to dispatch (read racily, for gauges). */
    long position(int partition) {
        long[] positions = fetchPosition;
        return partition < positions.length ? positions[partition] : 0;
    }

    /** Grows the per-partition state to {@code partitions} (the topic grew; fetcher thread). */
    private void cover(int partitions) {
        int before = fetched.length;
        if (partitions <= before) {
            return;
        }
        fetched = Arrays.copyOf(fetched, partitions);
        for (int p = before; p < partitions; p++) {
            fetched[p] = new ArrayDeque<>();
        }
        fetchPosition = Arrays.copyOf(fetchPosition, partitions);
    }

    /**
     * Stops fetching: waits for the fetcher thread until {@code deadlineNanos}, then interrupts what it waits
     * for (a drain, room, news) and waits a little more. Returns whether it has ended; the final commit
     * reads what only it writes, so it is made only then. Keeps the caller's interrupt.
     */
    boolean stop(long deadlineNanos) {
        running.set(false);
        boolean interrupted = false;
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (thread.isAlive()) {
            thread.interrupt(); // it ends without reporting a failure: running is false
            long last = System.nanoTime() + STOP_GRACE_NANOS;
            while (thread.isAlive() && System.nanoTime() < last) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(last - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * The last commit, once the fetcher stopped and the handlers are done: what they finished, nothing
     * of parked keys; then the partitions are let go and the group left.
     */
    void commitAndLeave() {
        try {
            commits.last(fetchPosition);
        } finally {
            ClientAccess.leaveGroup(log, member); // lets go of every partition it owned
        }
    }

    /** Leaves the group without a commit: the fetcher did not stop, and what it owns is not safe to read. */
    void leaveWithoutCommit() {
        LOG.error(
                "the fetcher of {} for group {} did not stop; leaving without a final commit (the records since the"
                        + " last commit will be handled again)",
                topic,
                settings.group());
        ClientAccess.leaveGroup(log, member);
    }

    private void fetchLoop() {
        long lastCommit = System.nanoTime();
        try (AppendSignal.Waiter appended = ClientAccess.appendWaiter(log, topic)) {
            while (running.get()) {
                rebalanceIfNeeded();
                boolean any = false;
                // Each partition gets a share of maxInFlight per round, so that one partition's large
                // fetch cannot fill the handlers while the others' stand idle.
                long share = Math.max(1, dispatcher.maxInFlight() / (2L * Math.max(1, owned.size())));
                LayoutFence fence =
                        LayoutFence.of(log.layout(topic), member.group(), placement, fenced, finishedLayouts);
                finishedLayouts = fence.finished();
                for (int p : owned) {
                    ArrayDeque<RawRecord> records = fetched[p];
                    // Nothing new is seen without a lock or a system call: an idle partition costs a volatile read.
                    if (records.isEmpty() && unfetched(p)) {
                        fetch(p);
                        if (log.layout(topic) != fence.layout()) {
                            // Records fetched now may be of a layout that began during this round.
                            fence = LayoutFence.of(
                                    log.layout(topic), member.group(), placement, fenced, finishedLayouts);
                        }
                    }
                    if (!records.isEmpty() && running.get() && awaitRoom()) {
                        int count = (int) Math.min(Math.min(share, dispatcher.room(p)), records.size());
                        count = fence.passing(p, records, count, fenceWaits);
                        if (count > 0) {
                            dispatch(p, records, count);
                            any = true;
                        }
                    }
                }
                fence.report(owned, this::handledUpTo);
                LayoutFence.warnLongWaits(topic, fenceWaits, settings.stallTimeout());
                if (!fenceWaits.isEmpty() || !fenceHolds.isEmpty()) {
                    fenceHolds = LayoutFence.describe(topic, fenceWaits);
                }
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commits.periodically(fetchPosition);
                    lastCommit = System.nanoTime();
                }
                dispatcher.checkStall();
                if (dispatcher.isPaused()) {
                    dispatcher.awaitResumable(WAIT_SLICE_NANOS); // resume() wakes it; rebalances are looked at
                } else if (!any) {
                    // Nothing new: wait for a producer's signal, or poll again shortly; a partition
                    // gone offline gets nothing new ever, and stops the consumer, as a fetch from it would.
                    requireOnline();
                    appended.await(IDLE_PARK_NANOS, this::anythingNew);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("consumer of {} stopped fetching", topic, e);
            failed.accept(e);
            running.set(false);
        } catch (InterruptedException e) {
            if (running.get()) {
                failed.accept(e); // not the close interrupting a wait
            }
            running.set(false);
        }
    }

    /**
     * Waits until the handlers are down to the resume mark, looking up now and then to notice a close and
     * to report a stall; false if the consumer is closing or paused.
     */
    private boolean awaitRoom() throws InterruptedException {
        while (dispatcher.full()) {
            if (!running.get() || dispatcher.isPaused()) {
                return false; // paused: the loop goes on with rebalances and commits, and waits for the resume
            }
            dispatcher.awaitResumable(WAIT_SLICE_NANOS);
            dispatcher.checkStall();
        }
        return true;
    }

    /** Throws the {@link LogOfflineException} of an owned partition a failed force took offline. */
    private void requireOnline() throws LogOfflineException {
        for (int p : owned) {
            ClientAccess.partition(log, topic, p).requireOnline();
        }
    }

    /**
     * True if an owned partition has records not fetched yet. One with fetched records waiting (for a
     * fence, for room) does not count: new records would not move it, and the fetcher would spin.
     */
    private boolean anythingNew() {
        for (int p : owned) {
            if (fetched[p].isEmpty() && unfetched(p)) {
                return true;
            }
        }
        return false;
    }

    /** True if the partition has records beyond the fetch position (one volatile read, no lock). */
    private boolean unfetched(int partition) {
        return log.endOffset(topic, partition) > fetchPosition[partition];
    }

    /**
     * Follows the group's assignment: hands over partitions this consumer should no longer own
     * (drained and committed first) and takes up those it should own once their previous owner let go.
     */
    private void rebalanceIfNeeded() throws IOException, InterruptedException {
        GroupCoordinator.Group group = member.group();
        int generation = group.generation();
        if (generation != seenGeneration) {
            seenGeneration = generation;
            cover(group.partitions());
            wanted = group.target(member.id());
            for (int p : List.copyOf(owned)) {
                if (!wanted.contains(p)) {
                    revoke(p);
                }
            }
        }
        for (int p : wanted) {
            if (!owned.contains(p) && group.tryAcquire(member.id(), p)) {
                Long initial = initialPositions.remove(p);
                fetchPosition[p] = initial != null ? initial : startPosition(p);
                fetched[p].clear();
                dispatcher.assign(p, fetchPosition[p], Collections.emptyNavigableSet());
                group.startHandling(p, fetchPosition[p]); // records other partitions' keys wait for
                owned.add(p);
                assignmentView = Set.copyOf(owned);
            }
        }
        settled.accept(owned.containsAll(wanted));
    }

    /**
     * Where the group goes on in a partition: its committed offset, or the log's end if the log ends
     * before it. That happens when records the group handled were lost (a power loss under an fsync
     * policy that acknowledges before the force); reading on from the committed offset would skip
     * the records appended since at the lost offsets.
     */
    private long startPosition(int partition) throws IOException {
        long committedNext = progress.committed(partition);
        long end = log.endOffset(topic, partition);
        if (committedNext > end) {
            progress.rewind(partition, end); // commits count from here again
            LOG.warn(
                    "group {} committed offset {} of {}-{}, but the log ends at {}: records the group "
                            + "handled were lost (a power loss before they were forced); going on there",
                    settings.group(),
                    committedNext,
                    topic,
                    partition,
                    end);
            return end;
        }
        return committedNext;
    }

    private void revoke(int partition) throws IOException, InterruptedException {
        dispatcher.drain(partition);
        long next = dispatcher.commitPoint(partition);
        if (next >= 0 && !progress.needsQuiescence()) {
            progress.commit(Map.of(partition, next));
        }
        dispatcher.release(partition);
        owned.remove(partition);
        fetched[partition].clear();
        fenceWaits.remove(partition);
        member.group().release(member.id(), partition);
        assignmentView = Set.copyOf(owned);
        LOG.debug("handed over {}-{} at offset {}", topic, partition, progress.committed(partition));
    }

    /** The offset below which this member has handled every record of {@code partition}. */
    private long handledUpTo(int partition) {
        return dispatcher.pending(partition) == 0 ? fetchPosition[partition] : dispatcher.commitPoint(partition);
    }

    /** Reads the partition's next records into {@code fetched}, past any that retention deleted unread. */
    private void fetch(int partition) throws IOException {
        skipDeleted(partition);
        try {
            // Decoded straight into the dispatcher's records: no log Record made per record to copy from.
            List<RawRecord> records = ClientAccess.partition(log, topic, partition)
                    .read(
                            fetchPosition[partition],
                            FETCH_BYTES,
                            (offset, timestamp, key, value, headers) ->
                                    new RawRecord(partition, offset, timestamp, key, value, headers(headers)));
            for (int i = 0; i < records.size(); i++) { // ArrayDeque.addAll goes through a lambda per call
                fetched[partition].addLast(records.get(i));
            }
        } catch (IllegalArgumentException e) {
            // Retention deleted them between the check and the read: skipped on the next round.
            if (fetchPosition[partition] >= log.startOffset(topic, partition)) {
                throw e;
            }
        }
    }

    /**
     * Moves past records retention deleted before they were read, or a retired partition's records deleted
     * once every group had read them (a group that came later did not miss them).
     */
    private void skipDeleted(int partition) {
        long start = log.startOffset(topic, partition);
        if (fetchPosition[partition] >= start) {
            return;
        }
        Object[] where = {topic, partition, fetchPosition[partition], start, settings.group(), start};
        if (log.layout(topic).retiredAt(partition, start)) {
            LOG.info(
                    "records {}-{}@[{}, {}) of a retired partition were deleted once every group had read them;"
                            + " group {} continues at {}",
                    where);
        } else {
            LOG.warn(
                    "records {}-{}@[{}, {}) were deleted by retention before group {} read them; continuing at {}",
                    where);
        }
        fetchPosition[partition] = start;
    }

    /** Hands the next {@code count} fetched records of a partition to the dispatcher. */
    private void dispatch(int partition, ArrayDeque<RawRecord> records, int count) {
        for (int i = 0; i < count; i++) {
            RawRecord r = records.pollFirst();
            dispatching.add(r);
            fetchPosition[partition] = r.offset() + 1;
        }
        try {
            dispatcher.dispatch(partition, dispatching);
        } finally {
            dispatching.clear();
        }
    }

    private static Headers headers(List<Header> stored) {
        return stored.isEmpty() ? Headers.empty() : Headers.of(stored);
    }
}
