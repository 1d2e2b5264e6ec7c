package dev.ordo.engine.core;

import dev.ordo.Ticker;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import java.time.Duration;

/**
 * The consumer builder both engines share, with no engine behind it: the settings (and a dispatcher made
 * of them) that tests of the consumer core start from. String keys and values, group {@code g}, at most
 * 1,000 records in flight, a drain timeout of 5 s, a handler that does nothing; the rest as an
 * application gets it.
 */
public final class SettingsBuilder extends ConsumerBuilder<SettingsBuilder, String, String> {

    public SettingsBuilder(String topic) {
        super(topic, Serdes.string(), Serdes.string());
        group("g").maxInFlight(1_000).drainTimeout(Duration.ofSeconds(5)).handler(r -> {});
    }

    @Override
    protected SettingsBuilder self() {
        return this;
    }

    /** The settings, checked as an engine's {@code start()} checks them. */
    @Override
    public ConsumerSettings<String, String> settings() {
        return super.settings();
    }

    /** A dispatcher of these settings on {@code ticker}, for a topic of {@code partitions} (no dead letters). */
    public RecordDispatcher<String, String> dispatcher(Ticker ticker, int partitions) {
        return new RecordDispatcher<>(settings(), null, "test", ticker, partitions);
    }

    @Override
    public RecordConsumer start() {
        throw new UnsupportedOperationException("no engine behind this builder");
    }
}
