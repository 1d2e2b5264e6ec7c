package dev.ordo.log.consumer;

import dev.ordo.engine.CommittedState;
import dev.ordo.log.engine.CommittedOffsets;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an embedded consumer keeps how far it got: the group's offsets file, or an application
 * {@link CommittedState} committed together with the offsets. One of the two classes below; the
 * consumer does not care which, except that a state commit must be made while no handler runs.
 */
sealed interface ConsumerProgress {

    /** The committed next offset of {@code partition} (0 if none). */
    long committed(int partition);

    /** Whether a commit must wait until no handler runs (a state holding their effects). */
    boolean needsQuiescence();

    /** Commits now; returns once it is durable. */
    void commit(Map<Integer, Long> next) throws IOException;

    /** Commits without making the caller wait for the disk, where the kind allows it. */
    void commitInBackground(Map<Integer, Long> next) throws IOException;

    /**
     * The committed offset of {@code partition} lies past the log's end {@code end} (records the group
     * handled were lost in a power loss): from now on commits count from {@code end}.
     */
    void rewind(int partition, long end) throws IOException;

    /** Waits for a commit under way; no more background commits after. */
    void close() throws InterruptedException;

    /**
     * The group's offsets file. The periodic commit is written by a committer thread of its own, as
     * Kafka's {@code commitAsync} does: replacing the file forces it and its directory to disk, 15-40 ms
     * on a plain SSD, and the fetcher would stop for that every commit interval. One commit at a time, at
     * most one waiting; a newer one replaces the waiting one (offsets only move forward, so a late write
     * never takes one back). A failed periodic commit is logged and the next one retries.
     */
    final class Offsets implements ConsumerProgress {
        private static final Logger LOG = LoggerFactory.getLogger(Offsets.class);

        private final CommittedOffsets file;
        private final String topic;
        private final ThreadPoolExecutor committer;
        /** Committer thread only: a failure is logged once until a commit succeeds. */
        private boolean failing;

        Offsets(CommittedOffsets file, String topic, String threadName) {
            this.file = file;
            this.topic = topic;
            this.committer = new ThreadPoolExecutor(
                    1,
                    1,
                    0,
                    TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(1),
                    r -> {
                        Thread t = new Thread(r, threadName);
                        t.setDaemon(true);
                        return t;
                    },
                    new ThreadPoolExecutor.DiscardOldestPolicy());
        }

        @Override
        public long committed(int partition) {
            return file.get(partition);
        }

        @Override
        public boolean needsQuiescence() {
            return false;
        }

        @Override
        public void commit(Map<Integer, Long> next) throws IOException {
            file.commit(next);
        }

        @Override
        public void commitInBackground(Map<Integer, Long> next) {
            committer.execute(() -> {
                try {
                    file.commit(next);
                    if (failing) {
                        failing = false;
                        LOG.info("commits of {} offsets succeed again", topic);
                    }
                } catch (IOException | RuntimeException e) {
                    if (!failing) {
                        failing = true;
                        LOG.error(
                                "commit of {} offsets {} failed; retrying every commit interval (until one succeeds,"
                                        + " further failures are logged at DEBUG)",
                                topic,
                                next,
                                e);
                    } else {
                        LOG.debug("commit of {} offsets {} failed again", topic, next, e);
                    }
                }
            });
        }

        @Override
        public void rewind(int partition, long end) throws IOException {
            file.rewind(partition, end);
        }

        @Override
        public void close() throws InterruptedException {
            committer.shutdown(); // the last periodic commit finishes; the final one follows on the caller
            committer.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** An application state committed with its offsets in one atomic write ({@link CommittedState}). */
    final class State implements ConsumerProgress {
        private final CommittedState state;
        private final Map<Integer, Long> committed = new ConcurrentHashMap<>();

        State(CommittedState state, Map<Integer, Long> restored) {
            this.state = state;
            committed.putAll(restored);
        }

        @Override
        public long committed(int partition) {
            return committed.getOrDefault(partition, 0L);
        }

        @Override
        public boolean needsQuiescence() {
            return true;
        }

        @Override
        public void commit(Map<Integer, Long> next) throws IOException {
            Map<Integer, Long> all = new HashMap<>(committed);
            all.putAll(next);
            state.commit(all);
            committed.putAll(next);
        }

        @Override
        public void commitInBackground(Map<Integer, Long> next) throws IOException {
            commit(next); // the state must match the offsets exactly: never behind the caller's back
        }

        @Override
        public void rewind(int partition, long end) {
            committed.put(partition, end);
        }

        @Override
        public void close() {}
    }
}
