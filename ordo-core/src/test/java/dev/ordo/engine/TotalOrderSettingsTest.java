package dev.ordo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.core.ConsumerSettings;
import org.junit.jupiter.api.Test;

/** What {@link Ordering#TOTAL} makes of a consumer's settings, on every engine (the builder they share). */
class TotalOrderSettingsTest {

    /** The shared builder with no engine behind it. */
    static final class Builder extends ConsumerBuilder<Builder, String, String> {
        Builder() {
            super("commands", Serdes.string(), Serdes.string());
            group("replica-1").handler(r -> {});
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public RecordConsumer start() {
            throw new UnsupportedOperationException("no engine");
        }
    }

    @Test
    void theTotalOrderRunsOneRecordAtATimeWhateverTheProcessorCount() {
        ConsumerSettings<String, String> settings =
                new Builder().ordering(Ordering.TOTAL).settings();
        assertThat(settings.concurrency()).isEqualTo(1);
        assertThat(new Builder()
                        .ordering(Ordering.TOTAL)
                        .concurrency(1)
                        .settings()
                        .concurrency())
                .isEqualTo(1);
    }

    @Test
    void aConcurrencyAboveOneIsRefusedNamingIt() {
        assertThatThrownBy(() ->
                        new Builder().concurrency(8).ordering(Ordering.TOTAL).settings())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("concurrency must be 1 with Ordering.TOTAL (records run one at a time, in the total"
                        + " order), was 8");
    }

    @Test
    void commutativeRecordsAreRefused() {
        assertThatThrownBy(() -> new Builder()
                        .ordering(Ordering.TOTAL)
                        .commutative(h -> true)
                        .settings())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("commutative records cannot be combined with Ordering.TOTAL");
    }
}
