package dev.ordo.bench.e2e;

import dev.ordo.Arguments;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What {@link PartitionChangeBenchmark} runs, each read once from a {@code -Dpc.*} system property (the
 * defaults keep the whole run at about two and a half minutes). A run's timeline, in whole seconds from the first
 * send: {@code warmupSeconds} not counted, {@code baselineSeconds} of steady state, then one change of
 * the partition count every {@code gapSeconds}, each at the start of a second (its change second), and
 * sending stops {@code gapSeconds} after the last change. The steady seconds, the baseline, are the
 * {@code baselineSeconds} and those at least two seconds after a change: the drift of a shared machine
 * weighs on them as on the changes.
 *
 * @param placements how topics place keys (-Dpc.placements, default {@code kafka,jump})
 * @param sequences the partition counts each run's topic goes through, the first its count at creation
 *     (-Dpc.sequences, runs separated by {@code ;}, default {@code 4,8,16,6,3;4,5,7})
 * @param fsync the topic's fsync policy (-Dpc.fsync, default {@code interval:100ms}, the engine's default)
 * @param keys the keys the producer sends to, in turn (-Dpc.keys, default 10,000)
 * @param movedKeys the keys whose moves are counted at each step (-Dpc.movedKeys, default 100,000)
 * @param recordBytes each record's value, at least 28 bytes (-Dpc.recordBytes, default 100)
 * @param members the consumer group's members (-Dpc.members, default 3)
 * @param concurrency each member's handler threads (-Dpc.concurrency, default 4)
 * @param warmupSeconds -Dpc.warmupSeconds, default 2 (after a run that warms the JVM up)
 * @param baselineSeconds -Dpc.baselineSeconds, default 3
 * @param gapSeconds -Dpc.gapSeconds, at least 3 so that a change second and the second after it are
 *     followed by a steady one, default 3
 * @param maxAhead how far the unpaced producer may run ahead of the handlers, in records
 *     (-Dpc.maxAhead, default 100,000): it sends as fast as the group keeps up with, and the latency of
 *     a backlog that grows for the whole run would say nothing about a change
 * @param pacedShare the paced run's rate as a share of the unpaced run's steady rate (-Dpc.pacedShare,
 *     default 0.5)
 * @param timeline whether each run also prints every second's figures (-Dpc.timeline=true), to see how a
 *     change's cost spreads over time
 */
record PartitionChangeSettings(
        List<Placement> placements,
        List<int[]> sequences,
        String fsync,
        int keys,
        int movedKeys,
        int recordBytes,
        int members,
        int concurrency,
        int warmupSeconds,
        int baselineSeconds,
        int gapSeconds,
        long maxAhead,
        double pacedShare,
        boolean timeline) {

    PartitionChangeSettings {
        Arguments.atLeast("pc.keys", keys, 1);
        Arguments.atLeast("pc.movedKeys", movedKeys, 1);
        Arguments.atLeast("pc.recordBytes", recordBytes, PartitionChangeRun.HEADER_BYTES);
        Arguments.atLeast("pc.members", members, 1);
        Arguments.atLeast("pc.concurrency", concurrency, 1);
        Arguments.atLeast("pc.warmupSeconds", warmupSeconds, 0);
        Arguments.atLeast("pc.baselineSeconds", baselineSeconds, 1);
        Arguments.atLeast("pc.gapSeconds", gapSeconds, 3);
        Arguments.atLeast("pc.maxAhead", maxAhead, 1);
        TopicSpec.parseFsync(fsync); // fails here, naming the text, rather than after the first run
        if (!(pacedShare > 0 && pacedShare <= 1)) {
            throw new IllegalArgumentException("pc.pacedShare must be in (0, 1], was " + pacedShare);
        }
        for (int[] counts : sequences) {
            requireSequence(counts);
        }
    }

    /** The settings the {@code -Dpc.*} properties give. */
    static PartitionChangeSettings fromSystemProperties() {
        List<Placement> placements = new ArrayList<>();
        for (String name : System.getProperty("pc.placements", "kafka,jump").split(",")) {
            placements.add(Placement.parse(name.trim()));
        }
        List<int[]> sequences = new ArrayList<>();
        for (String run : System.getProperty("pc.sequences", "4,8,16,6,3;4,5,7").split(";")) {
            sequences.add(Arrays.stream(run.split(","))
                    .mapToInt(count -> Integer.parseInt(count.trim()))
                    .toArray());
        }
        return new PartitionChangeSettings(
                List.copyOf(placements),
                List.copyOf(sequences),
                System.getProperty("pc.fsync", "interval:100ms"),
                Integer.getInteger("pc.keys", 10_000),
                Integer.getInteger("pc.movedKeys", 100_000),
                Integer.getInteger("pc.recordBytes", 100),
                Integer.getInteger("pc.members", 3),
                Integer.getInteger("pc.concurrency", 4),
                Integer.getInteger("pc.warmupSeconds", 2),
                Integer.getInteger("pc.baselineSeconds", 3),
                Integer.getInteger("pc.gapSeconds", 3),
                Long.getLong("pc.maxAhead", 100_000),
                Double.parseDouble(System.getProperty("pc.pacedShare", "0.5")),
                Boolean.getBoolean("pc.timeline"));
    }

    /** The {@code -Dpc.*} properties this JVM was given, as they would be typed. */
    static String givenProperties() {
        Map<String, String> given = new TreeMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("pc.")) {
                given.put(k.toString(), v.toString());
            }
        });
        StringBuilder text = new StringBuilder();
        given.forEach(
                (k, v) -> text.append("-D").append(k).append('=').append(v).append(' '));
        return text.toString();
    }

    /** The second (from the first send) at which the {@code change}th change (from 1) of a run begins. */
    int changeSecond(int change) {
        return warmupSeconds + baselineSeconds + (change - 1) * gapSeconds;
    }

    /** How long a run with {@code changes} changes sends, in seconds. */
    int sendingSeconds(int changes) {
        return changeSecond(changes) + gapSeconds;
    }

    /** The steady seconds of a run with {@code changes} changes: after the warm-up, none a change began in or the one after. */
    int[] steadySeconds(int changes) {
        return IntStream.range(warmupSeconds, sendingSeconds(changes))
                .filter(s -> s < changeSecond(1) || (s - changeSecond(1)) % gapSeconds >= 2)
                .toArray();
    }

    private static void requireSequence(int[] counts) {
        if (counts.length < 2) {
            throw new IllegalArgumentException(
                    "pc.sequences must give at least two counts per run, was " + Arrays.toString(counts));
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 1 || counts[i] > TopicLayout.MAX_PARTITIONS) {
                throw new IllegalArgumentException(
                        "pc.sequences counts must be in [1, " + TopicLayout.MAX_PARTITIONS + "], was " + counts[i]);
            }
            if (i > 0 && counts[i] == counts[i - 1]) {
                throw new IllegalArgumentException(
                        "pc.sequences must change the count at every step, was " + Arrays.toString(counts));
            }
        }
    }
}
