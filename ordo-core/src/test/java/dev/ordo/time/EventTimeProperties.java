package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class EventTimeProperties {

    private record Event(String source, long sequence, long timestamp, long arrivalKey) {}

    /**
     * Every event arrives at most {@code bound} ms of event time behind the newest one seen before
     * it (arrival order = timestamp + a random delay in [0, bound]); then nothing is late and the
     * output is every event, sorted by timestamp, source, sequence.
     */
    @Property(tries = 300)
    void withinTheBoundTheOutputIsSortedAndComplete(
            @ForAll @IntRange(min = 1, max = 3) int sources,
            @ForAll @IntRange(min = 0, max = 1_500) int events,
            @ForAll @IntRange(min = 0, max = 200) int boundMillis,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Event> all = new ArrayList<>();
        long[] sequences = new long[sources];
        long time = 0;
        List<String> names = new ArrayList<>();
        for (int s = 0; s < sources; s++) {
            names.add("s" + s);
        }
        for (int i = 0; i < events; i++) {
            time += random.nextInt(5);
            int s = random.nextInt(sources);
            all.add(new Event(names.get(s), sequences[s]++, time, time + random.nextInt(boundMillis + 1)));
        }
        List<Event> arrivals = new ArrayList<>(all);
        arrivals.sort(Comparator.comparingLong(Event::arrivalKey));

        List<Event> out = new ArrayList<>();
        EventTimeReorderer<String, Event> reorderer = EventTimeReorderer.<String, Event>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(boundMillis)))
                .sources(names)
                .build(e -> out.add(e.payload()));
        arrivals.forEach(e -> assertThat(reorderer.offer(e.source(), e.sequence(), e.timestamp(), e))
                .isEqualTo(EventTimeReorderer.Offer.ACCEPTED));
        reorderer.flush();

        List<Event> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparingLong(Event::timestamp)
                .thenComparing(Event::source)
                .thenComparingLong(Event::sequence));
        assertThat(out).containsExactlyElementsOf(expected);
        assertThat(reorderer.stats().late()).isZero();
    }
}
