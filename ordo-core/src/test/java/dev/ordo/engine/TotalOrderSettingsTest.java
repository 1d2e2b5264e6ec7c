package dev.ordo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.SettingsBuilder;
import org.junit.jupiter.api.Test;

/** What {@link Ordering#TOTAL} makes of a consumer's settings, on every engine (the builder they share). */
class TotalOrderSettingsTest {

    @Test
    void theTotalOrderRunsOneRecordAtATimeWhateverTheProcessorCount() {
        ConsumerSettings<String, String> settings =
                new SettingsBuilder("commands").ordering(Ordering.TOTAL).settings();
        assertThat(settings.concurrency()).isEqualTo(1);
        assertThat(new SettingsBuilder("commands")
                        .ordering(Ordering.TOTAL)
                        .concurrency(1)
                        .settings()
                        .concurrency())
                .isEqualTo(1);
    }

    @Test
    void aConcurrencyAboveOneIsRefusedNamingIt() {
        assertThatThrownBy(() -> new SettingsBuilder("commands")
                        .concurrency(8)
                        .ordering(Ordering.TOTAL)
                        .settings())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("concurrency must be 1 with Ordering.TOTAL (records run one at a time, in the total"
                        + " order), was 8");
    }

    @Test
    void commutativeRecordsAreRefused() {
        assertThatThrownBy(() -> new SettingsBuilder("commands")
                        .ordering(Ordering.TOTAL)
                        .commutative(h -> true)
                        .settings())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("commutative records cannot be combined with Ordering.TOTAL");
    }
}
