package dev.ordo.log.consumer;

import dev.ordo.engine.core.RecordDispatcher;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commits of a {@link GroupFetcher}: which offsets a commit may record, and when it may be made.
 * Without state, the offsets below which nothing is unfinished are committed, in the background at the
 * commit interval; a consumer with state ({@link ConsumerProgress#needsQuiescence()}) commits only at a
 * moment no record is in flight, with the fetch positions, the only offsets that match the state then.
 * Apart from the fetcher because none of it is on the fetch path: it runs once a commit interval and
 * at close. Runs on the fetcher thread, and for the last commit on the closing thread once the fetcher
 * has stopped.
 */
final class FetcherCommits {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);

    private final ConsumerProgress progress;
    private final RecordDispatcher<?, ?> dispatcher;
    /** The fetcher's owned partitions (read only here). */
    private final Set<Integer> owned;
    /** False once the consumer closes: a commit waiting for quiescence then gives up. */
    private final AtomicBoolean running;

    private final String topic;
    private final String group;

    FetcherCommits(
            ConsumerProgress progress,
            RecordDispatcher<?, ?> dispatcher,
            Set<Integer> owned,
            AtomicBoolean running,
            String topic,
            String group) {
        this.progress = progress;
        this.dispatcher = dispatcher;
        this.owned = owned;
        this.running = running;
        this.topic = topic;
        this.group = group;
    }

    /**
     * The periodic commit: the offsets file in the background; a state at the next quiet moment.
     *
     * @param fetchPosition per partition, the offset of the next record to dispatch
     */
    void periodically(long[] fetchPosition) throws IOException, InterruptedException {
        if (progress.needsQuiescence()) {
            commitState(fetchPosition);
        } else {
            progress.commitInBackground(commitPoints());
        }
    }

    /**
     * The last commit, once the fetcher stopped and the handlers are done: what they finished, nothing
     * of parked keys. A failure is logged: the records since the last commit are then handled again.
     */
    void last(long[] fetchPosition) {
        try {
            if (progress.needsQuiescence()) {
                Map<Integer, Long> points = statePoints(fetchPosition);
                if (points != null) {
                    progress.commit(points);
                } else {
                    LOG.warn(
                            "group {} closes with records of {} unhandled (parked keys): its state is not committed, "
                                    + "the next start goes on from the last commit",
                            group,
                            topic);
                }
            } else {
                progress.commit(commitPoints());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "final commit of {} for group {} failed; the records since the last commit will be handled "
                            + "again",
                    topic,
                    group,
                    e);
        }
    }

    /** Per owned partition, the offset below which nothing is unfinished (fetcher thread). */
    private Map<Integer, Long> commitPoints() {
        Map<Integer, Long> next = new HashMap<>();
        for (int p : owned) {
            long point = dispatcher.commitPoint(p);
            if (point >= 0) {
                next.put(p, point);
            }
        }
        return next;
    }

    /**
     * Waits (not fetching meanwhile) until no record is in flight, then commits the state with offsets
     * that match it exactly. A parked key keeps records in flight: the consumer then stops here and says
     * so ({@link RecordDispatcher#checkStall()}) until the key is resumed or skipped.
     */
    private void commitState(long[] fetchPosition) throws IOException, InterruptedException {
        while (!dispatcher.awaitQuiescent(GroupFetcher.WAIT_SLICE_NANOS)) {
            dispatcher.checkStall();
            if (!running.get()) {
                return; // not quiescent: the close commits if it can
            }
        }
        Map<Integer, Long> points = statePoints(fetchPosition);
        if (points != null) {
            progress.commit(points);
        }
    }

    /**
     * Offsets matching the state when nothing is in flight: the fetch positions, if every record
     * dispatched is done; null if one is not (abandoned at close), as no offset then matches the state.
     */
    private Map<Integer, Long> statePoints(long[] fetchPosition) {
        Map<Integer, Long> next = new HashMap<>();
        for (int p : owned) {
            if (dispatcher.pending(p) > 0) {
                return null;
            }
            next.put(p, fetchPosition[p]);
        }
        return next;
    }
}
