package dev.ordo.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * How far one migration has come, as committed in Kafka with the records it copied (one transaction):
 * the next source offset to copy of every source partition, and once producers switched, the fence — the
 * source's final ends and the target's ends at the switch, where records sent to Kafka begin.
 *
 * @param phase {@link Phase#COPYING} until the switch is recorded, then {@link Phase#SWITCHED}
 * @param partitions the target topic's partition count
 * @param next the next offset to copy, per source partition
 * @param sourceEnds the source's ends once sealed (empty before the switch)
 * @param targetEnds the target's ends at the switch (empty before it)
 * @param movedStates the groups whose application state ({@code CommittedState}) holds the target's
 *     positions now, translated at the fence
 */
record MigrationState(
        Phase phase, int partitions, long[] next, long[] sourceEnds, long[] targetEnds, Set<String> movedStates) {

    /** Where a migration is. */
    enum Phase {
        /** The backlog is being copied; producers still send to the source. */
        COPYING,
        /** Everything is copied and producers send to Kafka; groups move as they drain. */
        SWITCHED
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    MigrationState {
        movedStates = Set.copyOf(movedStates);
    }

    /** A migration that has copied nothing yet. */
    static MigrationState start(int partitions) {
        return new MigrationState(Phase.COPYING, partitions, new long[0], new long[0], new long[0], Set.of());
    }

    /** The next offset to copy of source partition {@code p}. */
    long next(int p) {
        return p < next.length ? next[p] : 0;
    }

    /** This state with {@code next} copied. */
    MigrationState copied(long[] next) {
        return new MigrationState(phase, partitions, next.clone(), sourceEnds, targetEnds, movedStates);
    }

    /** The switch: the source sealed at {@code sourceEnds}, everything copied, Kafka's ends {@code targetEnds}. */
    MigrationState switched(long[] sourceEnds, long[] targetEnds) {
        return new MigrationState(
                Phase.SWITCHED, partitions, sourceEnds.clone(), sourceEnds.clone(), targetEnds.clone(), movedStates);
    }

    /** This state with group {@code group}'s application state moved to the target. */
    MigrationState stateMoved(String group) {
        Set<String> moved = new TreeSet<>(movedStates);
        moved.add(group);
        return new MigrationState(phase, partitions, next, sourceEnds, targetEnds, moved);
    }

    String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("phase", phase.name());
        node.put("partitions", partitions);
        array(node.putArray("next"), next);
        array(node.putArray("sourceEnds"), sourceEnds);
        array(node.putArray("targetEnds"), targetEnds);
        ArrayNode moved = node.putArray("movedStates");
        new TreeSet<>(movedStates).forEach(moved::add);
        return node.toString();
    }

    static MigrationState fromJson(String text) throws IOException {
        JsonNode node = JSON.readTree(text);
        if (node == null || !node.has("phase") || !node.has("partitions")) {
            throw new IOException("not a migration state: " + text);
        }
        return new MigrationState(
                Phase.valueOf(node.get("phase").asText()),
                node.get("partitions").asInt(),
                longs(node.get("next")),
                longs(node.get("sourceEnds")),
                longs(node.get("targetEnds")),
                strings(node.get("movedStates")));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    private static void array(ArrayNode array, long[] values) {
        for (long v : values) {
            array.add(v);
        }
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array == null ? 0 : array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    @Override
    public String toString() {
        return phase + " to " + partitions + " partitions, next " + Arrays.toString(next) + ", fence "
                + Arrays.toString(sourceEnds) + " -> " + Arrays.toString(targetEnds);
    }
}
