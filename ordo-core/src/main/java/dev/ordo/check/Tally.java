package dev.ordo.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Counts per anomaly with the first example of each, for the {@link OrderingChecker}. */
final class Tally {
    private final Map<Anomaly, long[]> counts = new EnumMap<>(Anomaly.class);
    private final Map<Anomaly, String> firsts = new EnumMap<>(Anomaly.class);

    /** Counts one occurrence; the example is only described for the first. */
    void add(Anomaly anomaly, Supplier<String> example) {
        counts.computeIfAbsent(anomaly, a -> new long[1])[0]++;
        if (!firsts.containsKey(anomaly)) {
            firsts.put(anomaly, example.get());
        }
    }

    List<Finding> findings() {
        List<Finding> findings = new ArrayList<>();
        for (Anomaly a : Anomaly.values()) {
            if (counts.containsKey(a)) {
                findings.add(new Finding(a, counts.get(a)[0], firsts.get(a)));
            }
        }
        return findings;
    }
}
