package dev.ordo.bench.e2e;

import dev.ordo.bench.e2e.ChangeFigures.Change;
import dev.ordo.bench.e2e.ChangeFigures.Moved;
import dev.ordo.bench.e2e.ChangeFigures.Window;
import dev.ordo.engine.Ordering;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.Placement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of {@link PartitionChangeBenchmark}: a topic created with the first count of a sequence, a
 * consumer group (KEY ordering, a handler that only records) and one producer sending to the keys in
 * turn, either as fast as the group keeps up with ({@code rate} 0: at most {@code maxAhead} records
 * ahead of the handlers) or paced at {@code rate} records/s; the topic goes through the sequence's
 * counts on the schedule {@link PartitionChangeSettings} describes. Each record's value begins with the
 * time its latency counts from (when paced, its scheduled time if it was sent late: a paused producer
 * is not hidden), its index (which gives its key), the time it was sent, and, for a record of a key the
 * last change moved sent in that change's second, the change's number (else 0).
 */
final class PartitionChangeRun {

    /** The bytes of a record's value the run writes: stamp, index, send time, change number. */
    static final int HEADER_BYTES = 28;

    private static final String TOPIC = "moving";
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** How long the unpaced producer waits for the group to make room before it gives up. */
    private static final long ROOM_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final PartitionChangeSettings settings;
    private final Placement placement;
    private final int[] counts;
    private final double rate;
    private final SecondTallies tallies;
    /** Records sent in each second, and the longest a send took in it: written by the sending thread only. */
    private final long[] sent;

    private final long[] longestSend;
    /** Whether the {@code c}th change moves the {@code k}th key: {@code moves[c][k]} (row 0 unused). */
    private final boolean[][] moves;
    /** When sending began; read by the handlers (the records they get were sent after it was set). */
    private volatile long begin;

    PartitionChangeRun(PartitionChangeSettings settings, Placement placement, int[] counts, double rate) {
        this.settings = settings;
        this.placement = placement;
        this.counts = counts.clone();
        this.rate = rate;
        int seconds = settings.sendingSeconds(counts.length - 1);
        this.tallies = new SecondTallies(seconds, settings.keys(), counts.length - 1);
        this.sent = new long[seconds];
        this.longestSend = new long[seconds];
        this.moves = new boolean[counts.length][settings.keys()];
        Partitioner partitioner = placement.partitioner();
        for (int c = 1; c < counts.length; c++) {
            for (int k = 0; k < settings.keys(); k++) {
                byte[] key = KeysMoved.key(k);
                moves[c][k] = partitioner.partition(key, counts[c - 1]) != partitioner.partition(key, counts[c]);
            }
        }
    }

    ChangeFigures measure(Path dir) throws IOException {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(
                    TOPIC,
                    TopicSpec.partitions(counts[0]).placement(placement).fsync(TopicSpec.parseFsync(settings.fsync())));
            List<OrdoConsumer<byte[], byte[]>> group = new ArrayList<>();
            try {
                for (int m = 0; m < settings.members(); m++) {
                    group.add(member(log));
                }
                awaitAssignment(group);
                begin = System.nanoTime();
                CompletableFuture<Long> sending =
                        CompletableFuture.supplyAsync(() -> send(log), r -> new Thread(r, "pc-sender").start());
                double[] alterMillis = alterOnSchedule(log);
                long records = sending.join();
                tallies.awaitHandled(records);
                if (settings.timeline()) {
                    printTimeline();
                }
                return figures(records, alterMillis);
            } finally {
                for (OrdoConsumer<byte[], byte[]> member : group) {
                    member.close();
                }
            }
        }
    }

    private OrdoConsumer<byte[], byte[]> member(EmbeddedLog log) {
        return OrdoConsumer.builder(log, TOPIC)
                .group("bench")
                .ordering(Ordering.KEY)
                .concurrency(settings.concurrency())
                .handler(r -> {
                    ByteBuffer value = ByteBuffer.wrap(r.value());
                    tallies.handled(value.getLong(8), value.getLong(0), begin, value.getInt(24), value.getLong(16));
                })
                .start();
    }

    /** The clock starts with every partition owned by a member, so that no record waits for the group to form. */
    private void awaitAssignment(List<OrdoConsumer<byte[], byte[]>> group) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (group.stream().mapToInt(m -> m.assignment().size()).sum() < counts[0]) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the group was not assigned all " + counts[0] + " partitions in 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Changes the count at the start of each change second; returns how long each change took, in ms. */
    private double[] alterOnSchedule(EmbeddedLog log) throws IOException {
        double[] millis = new double[counts.length - 1];
        for (int c = 1; c < counts.length; c++) {
            parkUntil(begin + settings.changeSecond(c) * SECOND);
            long start = System.nanoTime();
            log.alterPartitions(TOPIC, counts[c]);
            millis[c - 1] = (System.nanoTime() - start) / 1e6;
        }
        return millis;
    }

    private static void parkUntil(long nanoTime) {
        for (long now = System.nanoTime(); now < nanoTime; now = System.nanoTime()) {
            LockSupport.parkNanos(nanoTime - now);
        }
    }

    /** Sends until the run's last second ends; returns how many records it sent. */
    private long send(EmbeddedLog log) {
        byte[][] keys = new byte[settings.keys()][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = KeysMoved.key(k);
        }
        long i = 0;
        int change = 0; // the last change whose layout the producer places by (read every 256 records)
        try (OrdoProducer<byte[], byte[]> producer =
                OrdoProducer.builder(log, TOPIC).build()) {
            long previous = begin;
            for (; ; i++) {
                long now = System.nanoTime();
                int second = (int) ((now - begin) / SECOND);
                if (second >= sent.length) {
                    break;
                }
                // Since the last send began: that send, unless the harness parked after it (then from there).
                longestSend[second] = Math.max(longestSend[second], now - previous);
                now = awaitTurn(i, now);
                if ((i & 255) == 0) {
                    change = log.layout(TOPIC).layouts().size() - 1;
                }
                previous = now;
                producer.send(keys[(int) (i % keys.length)], value(i, now, change));
                sent[(int) Math.min(sent.length - 1, (now - begin) / SECOND)]++;
            }
        }
        return i;
    }

    /**
     * Parks until the {@code i}th record's turn, if it has not come by {@code now}: when paced, its scheduled
     * time (in about 1 ms steps); else room ahead of the handlers. Returns the time after.
     */
    private long awaitTurn(long i, long now) {
        if (rate > 0) {
            long scheduled = scheduled(i);
            if (scheduled - now > 1_000_000) {
                LockSupport.parkNanos(scheduled - now - 500_000);
                return System.nanoTime();
            }
            return now;
        }
        return (i & 255) == 0 && i - tallies.handled() > settings.maxAhead() ? awaitRoom(i) : now;
    }

    private long scheduled(long i) {
        return begin + (long) (i * (SECOND / rate));
    }

    /** The {@code i}th record's value, sent at {@code now} by the layout of the {@code change}th change. */
    private byte[] value(long i, long now, int change) {
        int key = (int) (i % settings.keys());
        // Latency counts from the scheduled time when the send is late (a pause is not hidden), from the send
        // itself when the pacing sends early (up to 1 ms).
        long stamp = rate > 0 ? Math.min(scheduled(i), now) : now;
        boolean moved = change > 0 && moves[change][key] && now - begin < (settings.changeSecond(change) + 1) * SECOND;
        byte[] value = new byte[settings.recordBytes()];
        ByteBuffer.wrap(value).putLong(0, stamp).putLong(8, i).putLong(16, now).putInt(24, moved ? change : 0);
        return value;
    }

    /** Waits until the handlers are at most {@code maxAhead} records behind the {@code records} sent. */
    private long awaitRoom(long records) {
        long handled = tallies.handled();
        long progressAt = System.nanoTime();
        while (records - handled > settings.maxAhead()) {
            LockSupport.parkNanos(100_000);
            long now = System.nanoTime();
            long before = handled;
            handled = tallies.handled();
            if (handled > before) {
                progressAt = now;
            } else if (now - progressAt > ROOM_TIMEOUT_NANOS) {
                throw new IllegalStateException("the group handled nothing for 60 s with " + (records - handled)
                        + " records sent and not handled");
            }
        }
        return System.nanoTime();
    }

    /** Every second of the run (-Dpc.timeline=true). */
    private void printTimeline() {
        long[] handled = tallies.handledPerSecond();
        for (int s = 0; s < sent.length; s++) {
            Window w = window(handled, s);
            System.err.printf(
                    Locale.ROOT,
                    "second %2d: handled %,9.0f sent %,9.0f longest send %6.1f ms, latency p99 %7.1f ms max %7.1f ms%n",
                    s,
                    w.handledPerSecond(),
                    w.sentPerSecond(),
                    w.longestSendMillis(),
                    w.p99Millis(),
                    w.maxMillis());
        }
    }

    private ChangeFigures figures(long records, double[] alterMillis) {
        long[] handled = tallies.handledPerSecond();
        List<Window> steady = Arrays.stream(settings.steadySeconds(counts.length - 1))
                .mapToObj(s -> window(handled, s))
                .toList();
        List<Change> changes = new ArrayList<>();
        for (int c = 1; c < counts.length; c++) {
            int second = settings.changeSecond(c);
            changes.add(new Change(
                    counts[c - 1],
                    counts[c],
                    alterMillis[c - 1],
                    window(handled, second),
                    window(handled, second + 1),
                    Moved.of(tallies.movedAt(c))));
        }
        return new ChangeFigures(
                placement, counts.clone(), rate, steady, List.copyOf(changes), records, tallies.outOfOrder());
    }

    private Window window(long[] handled, int second) {
        return Window.of(handled[second], sent[second], longestSend[second], tallies.latencySent(second));
    }
}
