package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.HotKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures every topic's load once a second: the records and bytes appended per second to each partition
 * (from the change of its end offset and size, nothing counted on the append path), and changes the partition count of
 * topics made with {@link AutoScale} when their load asks for it. A partition whose load stays above the
 * target is read back (its last {@value #SAMPLE_RECORDS} records) to find a key that alone passes the
 * target: that is reported, not split, as a key's records stay in one partition to keep their order.
 * Every {@value #REBALANCE_LOOK_SECONDS} s it also lets each topic's consumer groups share their
 * partitions anew if the load moved away from their assignment, and every {@value #RETIRED_LOOK_SECONDS} s
 * it deletes the records of retired partitions every group has read ({@link RetiredPartitionCleaner}: reading
 * the groups' files costs, so not every second). Its thread is the engine's; ticks run one at a time.
 */
final class LoadWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadWatch.class);

    /** Records read back from a busy partition to find its heaviest key. */
    static final int SAMPLE_RECORDS = 2_000;

    /** How the watch changes a topic's partition count ({@link EmbeddedLog#alterPartitions}). */
    interface Alter {
        void alterPartitions(String topic, int partitions) throws IOException;
    }

    /** Seconds between two looks at whether a topic's groups should be shared anew by the load. */
    static final int REBALANCE_LOOK_SECONDS = 30;

    /** How the watch deletes the records of retired partitions every group has read ({@link EmbeddedLog#deleteDrainedRetired}). */
    interface Cleaner {
        void deleteDrainedRetired(String topic) throws IOException;
    }

    /** Seconds between two looks at whether a topic's retired partitions can be emptied. */
    static final int RETIRED_LOOK_SECONDS = 10;

    /** One topic's measurements (tick thread). */
    private static final class Load {
        long[] lastEnds = new long[0];
        long[] lastSizes = new long[0];
        long lastNanos;
        volatile double[] perSecond = new double[0];
        volatile double[] bytesPerSecond = new double[0];
        int overFor;
        int underFor;
        int busyFor;
        int quietFor = AutoScale.COOLDOWN_SECONDS;
        int sinceRebalanceLook;
        int sinceRetiredLook;
        volatile HotKeys.Hot<String> hotKey;
    }

    private final Supplier<Map<String, Topic>> topics;
    private final Alter alter;
    /** Shares a topic's groups anew if the load moved away from their assignment (see {@link GroupCoordinator}). */
    private final BiConsumer<String, double[]> rebalance;

    private final Cleaner cleaner;

    private final Map<String, Load> loads = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * A watch ticking every second on a thread of its own once {@linkplain #start() started}, or, if
     * {@code ticking} is false, when told.
     */
    LoadWatch(
            Supplier<Map<String, Topic>> topics,
            Alter alter,
            BiConsumer<String, double[]> rebalance,
            Cleaner cleaner,
            boolean ticking) {
        this.topics = topics;
        this.alter = alter;
        this.rebalance = rebalance;
        this.cleaner = cleaner;
        this.timer = ticking
                ? Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "ordo-load-watch");
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    /**
     * Starts ticking every second, if this watch ticks on its own. Called once the engine is whole: the
     * callbacks reach its topics and groups, which must be set before the timer's thread sees them.
     */
    void start() {
        if (timer != null) {
            timer.scheduleWithFixedDelay(() -> tick(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Records appended per second to each partition of {@code topic}, as last measured (empty before). */
    double[] recordsPerSecond(String topic) {
        Load load = loads.get(topic);
        return load == null ? new double[0] : load.perSecond.clone();
    }

    /**
     * Bytes appended per second to each partition of {@code topic}, as last measured (empty before; 0 for
     * a second in which retention deleted more than was appended).
     */
    double[] bytesPerSecond(String topic) {
        Load load = loads.get(topic);
        return load == null ? new double[0] : load.bytesPerSecond.clone();
    }

    /** The key found to carry more than a partition's target alone, if any. */
    Optional<HotKeys.Hot<String>> hotKey(String topic) {
        Load load = loads.get(topic);
        return Optional.ofNullable(load == null ? null : load.hotKey);
    }

    /** Measures every topic and acts on the auto-scaled ones; {@code nowNanos} is the time of the tick. */
    synchronized void tick(long nowNanos) {
        loads.keySet().retainAll(topics.get().keySet());
        for (Map.Entry<String, Topic> e : topics.get().entrySet()) {
            Load load = loads.computeIfAbsent(e.getKey(), k -> new Load());
            try {
                measure(load, e.getValue(), nowNanos);
                if (++load.sinceRebalanceLook >= REBALANCE_LOOK_SECONDS) {
                    load.sinceRebalanceLook = 0;
                    rebalance.accept(e.getKey(), load.perSecond.clone());
                }
                AutoScale scale = e.getValue().spec().autoScale();
                if (scale != null) {
                    scale(e.getKey(), e.getValue(), load, scale);
                }
            } catch (RuntimeException | IOException failed) {
                load.quietFor = 0; // a change that failed is tried again after the cooldown, not every second
                LOG.warn("the load watch could not measure or scale topic '{}'", e.getKey(), failed);
            }
            if (++load.sinceRetiredLook >= RETIRED_LOOK_SECONDS) {
                load.sinceRetiredLook = 0;
                try {
                    cleaner.deleteDrainedRetired(e.getKey());
                } catch (RuntimeException | IOException failed) {
                    LOG.warn("could not empty the drained retired partitions of topic '{}'", e.getKey(), failed);
                }
            }
        }
    }

    private static void measure(Load load, Topic topic, long nowNanos) {
        List<PartitionLog> partitions = topic.partitions();
        long[] ends = new long[partitions.size()];
        long[] sizes = new long[ends.length];
        double[] rates = new double[ends.length];
        double[] bytes = new double[ends.length];
        double seconds = (nowNanos - load.lastNanos) / 1e9;
        for (int p = 0; p < ends.length; p++) {
            ends[p] = partitions.get(p).nextOffset();
            long before = p < load.lastEnds.length ? load.lastEnds[p] : ends[p];
            // Never below 0: a topic deleted and made again under the same name starts its offsets anew.
            rates[p] = load.lastNanos == 0 || seconds <= 0 ? 0 : Math.max(0, ends[p] - before) / seconds;
            sizes[p] = partitions.get(p).sizeInBytes();
            long sizeBefore = p < load.lastSizes.length ? load.lastSizes[p] : sizes[p];
            bytes[p] = load.lastNanos == 0 || seconds <= 0 ? 0 : Math.max(0, sizes[p] - sizeBefore) / seconds;
        }
        load.lastEnds = ends;
        load.lastSizes = sizes;
        load.bytesPerSecond = bytes;
        load.lastNanos = nowNanos;
        load.perSecond = rates;
    }

    /** Grows or shrinks the topic when its load stayed past the target long enough (ticks are seconds). */
    private void scale(String name, Topic topic, Load load, AutoScale scale) throws IOException {
        double total = 0;
        double busiest = 0;
        int busiestPartition = 0;
        for (int p = 0; p < load.perSecond.length; p++) {
            total += load.perSecond[p];
            if (load.perSecond[p] > busiest) {
                busiest = load.perSecond[p];
                busiestPartition = p;
            }
        }
        int current = topic.layout().partitions();
        double target = scale.targetPerPartition();
        double perPartition = total / current;
        load.overFor = perPartition > target ? load.overFor + 1 : 0;
        load.underFor = perPartition < target / 2 ? load.underFor + 1 : 0;
        load.quietFor++;
        load.busyFor = busiest > target ? load.busyFor + 1 : 0;
        if (load.busyFor == 0) {
            load.hotKey = null;
        } else if (load.busyFor % AutoScale.GROW_AFTER_SECONDS == 0) {
            findHotKey(name, topic.partitions().get(busiestPartition), busiest, target, load);
        }
        int wanted = current;
        if (load.overFor >= AutoScale.GROW_AFTER_SECONDS) {
            wanted = Math.max(current, scale.countFor(total, target));
        } else if (load.underFor >= AutoScale.SHRINK_AFTER_SECONDS) {
            wanted = Math.min(current, scale.countFor(total, target * 0.75)); // room to grow before the next
        }
        if (wanted != current && load.quietFor >= AutoScale.COOLDOWN_SECONDS) {
            LOG.info(
                    "topic '{}' carries {} records/s on {} partitions (target {} each): changing to {}",
                    name,
                    Math.round(total),
                    current,
                    target,
                    wanted);
            alter.alterPartitions(name, wanted);
            load.overFor = 0;
            load.underFor = 0;
            load.quietFor = 0;
        }
    }

    /** Reads the busy partition's last records back; a key carrying more than the target alone is reported. */
    private static void findHotKey(String name, PartitionLog partition, double rate, double target, Load load)
            throws IOException {
        long end = partition.nextOffset();
        long from = Math.max(partition.startOffset(), end - SAMPLE_RECORDS);
        HotKeys<String> sketch = new HotKeys<>(16);
        List<Record> records = partition.read(from, 4 << 20);
        for (Record r : records) {
            if (r.offset() < end && r.key() != null) {
                sketch.add(new String(r.key(), StandardCharsets.UTF_8), 1);
            }
        }
        List<HotKeys.Hot<String>> top = sketch.top(1);
        if (top.isEmpty() || sketch.total() == 0) {
            return;
        }
        double keyRate = rate * top.get(0).guaranteed() / sketch.total();
        HotKeys.Hot<String> hot = keyRate > target ? top.get(0) : null;
        if (hot != null && (load.hotKey == null || !load.hotKey.key().equals(hot.key()))) {
            LOG.warn(
                    "key '{}' alone carries about {} records/s of topic '{}', above the target of {} per partition: "
                            + "more partitions cannot help it, as a key's records stay in one partition to keep "
                            + "their order",
                    hot.key(),
                    Math.round(keyRate),
                    name,
                    target);
        }
        load.hotKey = hot;
    }

    /**
     * Stops ticking and waits for a tick under way. Not by interrupting it: a tick may be changing a
     * topic's count, and an interrupt would close the files it writes.
     */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
