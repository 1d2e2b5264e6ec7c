package dev.ordo.check;

import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link OrderingChecker} holds a history to beyond exact, per-key ordered delivery: the
 * topic's {@link PartitionLayout} (without one, partitions are not checked) and the
 * {@link TimestampBounds} of event times (by default Kafka's: at most one hour ahead). A
 * {@link History} carries its own, and {@link HistoryLog} writes them as the file's {@code topic}
 * line.
 *
 * <pre>{@code
 * Expectations expect = Expectations.defaults()
 *         .withLayout(PartitionLayout.kafkaDefault(8))
 *         .withTimestampBounds(TimestampBounds.of(Duration.ofDays(1), Duration.ofMinutes(5)));
 * CheckReport report = OrderingChecker.check(sent, received, expect);
 * }</pre>
 */
public final class Expectations {

    private static final Expectations DEFAULTS = new Expectations(null, TimestampBounds.kafkaDefault());

    private final PartitionLayout<String> layout;
    private final TimestampBounds timestampBounds;

    private Expectations(PartitionLayout<String> layout, TimestampBounds timestampBounds) {
        this.layout = layout;
        this.timestampBounds = timestampBounds;
    }

    /** No partition layout; Kafka's default timestamp bounds. */
    public static Expectations defaults() {
        return DEFAULTS;
    }

    /** These expectations with the topic's partition layout: a receipt from another partition is a mismatch. */
    public Expectations withLayout(PartitionLayout<String> layout) {
        return new Expectations(Objects.requireNonNull(layout, "layout must not be null"), timestampBounds);
    }

    /** These expectations with other bounds on event times. */
    public Expectations withTimestampBounds(TimestampBounds bounds) {
        return new Expectations(layout, Objects.requireNonNull(bounds, "timestampBounds must not be null"));
    }

    /** The topic's partition layout, if partitions are to be checked. */
    public Optional<PartitionLayout<String>> layout() {
        return Optional.ofNullable(layout);
    }

    /** The bounds on event times. */
    public TimestampBounds timestampBounds() {
        return timestampBounds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expectations e
                && Objects.equals(e.layout, layout)
                && e.timestampBounds.equals(timestampBounds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layout, timestampBounds);
    }

    @Override
    public String toString() {
        return "Expectations[layout=" + (layout == null ? "none" : layout) + ", timestamps=" + timestampBounds + "]";
    }
}
