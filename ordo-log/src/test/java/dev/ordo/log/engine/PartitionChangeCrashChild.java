package dev.ordo.log.engine;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.consumer.Unfenced;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.partition.TopicLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Run as a child JVM by {@link PartitionChangeCrashTest}: a named idempotent producer sends keyed records
 * (fsync on every batch), and every {@value #EVERY} records the topic's partition count changes along
 * 4, 8, 16, 6, 3 (then again from 4) while the producer's batches are under way. A group of three
 * consumers (KEY ordering) starts after the second change of the run, so that it finds records of a
 * key on both sides of a change. Prints {@code LAYOUT counts} at start, then {@code SEND}, {@code ACK},
 * {@code ALTER n}, {@code ALTERED n}, {@code CONSUMED key n}, and {@code STEP name} where it stops
 * (waiting to be killed) until killed or, once everything is sent, until its input ends.
 *
 * <p>Arguments: data directory, first value to send, values to send, the change of this run to stop
 * in (1 is the first, 0 none), the {@link PartitionCountChange.Step} to stop at, and {@code fenced} or
 * {@code unfenced} (the group's ordering fence switched off, to show the parent's check can fail).
 */
public final class PartitionChangeCrashChild {

    static final int[] COUNTS = {4, 8, 16, 6, 3};
    static final int EVERY = 48;
    static final int KEYS = 16;

    private PartitionChangeCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        long count = Long.parseLong(args[2]);
        int stopInChange = Integer.parseInt(args[3]);
        PartitionCountChange.Step stopAt = PartitionCountChange.Step.valueOf(args[4]);
        boolean fenced = args[5].equals("fenced");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            if (!log.listTopics().contains("moving")) {
                log.createTopic("moving", TopicSpec.partitions(COUNTS[0]).fsync(FsyncPolicy.everyBatch()));
            }
            print("LAYOUT " + counts(log.layout("moving")));
            AtomicInteger changes = new AtomicInteger();
            log.onChangeSteps(step -> {
                if (step == PartitionCountChange.Step.PAUSED) {
                    changes.incrementAndGet();
                }
                if (step == stopAt && changes.get() == stopInChange) {
                    print("STEP " + step);
                    awaitKill();
                }
            });
            List<OrdoConsumer<String, String>> group = new ArrayList<>();
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .name("writer")
                    .build()) {
                for (long n = first; n < first + count; n++) {
                    String key = "k" + (n % KEYS);
                    String value = String.valueOf(n);
                    print("SEND " + key + " " + value);
                    producer.send(key, value).thenRun(() -> print("ACK " + key + " " + value));
                    if ((n + 1) % EVERY == 0) {
                        int next = next(log.layout("moving").partitions());
                        print("ALTER " + next);
                        log.alterPartitions("moving", next);
                        print("ALTERED " + next);
                        if (changes.get() == 2) {
                            startGroup(log, fenced, group);
                        }
                    }
                }
                producer.flush();
            }
            if (group.isEmpty()) {
                startGroup(log, fenced, group);
            }
            print("PRODUCED");
            while (System.in.read() >= 0) {
                // the parent never writes; end of input means: shut down cleanly
            }
            for (OrdoConsumer<String, String> member : group) {
                member.close();
            }
            print("CLOSED");
        }
    }

    private static void startGroup(EmbeddedLog log, boolean fenced, List<OrdoConsumer<String, String>> group) {
        for (int i = 0; i < 3; i++) {
            OrdoConsumer.Builder<String, String> member = OrdoConsumer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.KEY)
                    .concurrency(4)
                    .handler(r -> print("CONSUMED " + r.key() + " " + r.value()));
            group.add((fenced ? member : Unfenced.unfenced(member)).start());
        }
    }

    /** Holds the change where it is until the parent kills this JVM. */
    private static void awaitKill() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String counts(TopicLayout layout) {
        return layout.layouts().stream()
                .map(l -> String.valueOf(l.partitions()))
                .collect(Collectors.joining(","));
    }

    private static int next(int current) {
        for (int i = 0; i < COUNTS.length; i++) {
            if (COUNTS[i] == current) {
                return COUNTS[(i + 1) % COUNTS.length];
            }
        }
        return COUNTS[0];
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
