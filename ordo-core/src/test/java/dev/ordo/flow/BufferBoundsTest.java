package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.Ticker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BufferBoundsTest {

    @Test
    void defaultsBlockForAtMostAMinuteWithoutAByteBound() {
        BufferBounds<String> bounds = BufferBounds.of(10);
        assertThat(bounds.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
        assertThat(bounds.maxBlock()).isEqualTo(Duration.ofSeconds(60));
        assertThat(bounds.weighs()).isFalse();
        assertThat(bounds.weigh("anything")).isZero();
    }

    @Test
    void fitsCountsMessagesAndBytes() {
        BufferBounds<String> bounds = BufferBounds.<String>of(2).withMaxBufferedBytes(10, String::length);
        assertThat(bounds.fits(1, 4, bounds.weigh("123456"))).isTrue();
        assertThat(bounds.fits(1, 5, bounds.weigh("123456"))).isFalse();
        assertThat(bounds.fits(2, 0, 0)).isFalse();
        assertThat(bounds.whichBound(2, 0, 0, "messages")).isEqualTo("holds 2 messages; maxBuffered is 2");
        assertThat(bounds.whichBound(1, 5, 6, "events"))
                .isEqualTo("holds 5 bytes and the next weighs 6; maxBufferedBytes is 10");
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheValue() {
        BufferBounds<String> bounds = BufferBounds.of(1);
        assertThatThrownBy(() -> bounds.withMaxBuffered(0)).hasMessage("maxBuffered must be >= 1, was 0");
        assertThatThrownBy(() -> bounds.withMaxBufferedBytes(0, String::length))
                .hasMessage("maxBufferedBytes must be >= 1, was 0");
        assertThatThrownBy(() -> bounds.withMaxBlock(Duration.ofSeconds(-1)))
                .hasMessage("maxBlock must be >= 0, was PT-1S");
        assertThatThrownBy(() -> bounds.withOverflowPolicy(null)).hasMessage("overflowPolicy must not be null");
        assertThatThrownBy(() -> bounds.withTicker((Ticker) null)).hasMessage("ticker must not be null");
        BufferBounds<String> weighed = bounds.withMaxBufferedBytes(4, String::length);
        assertThatThrownBy(() -> weighed.weigh("12345"))
                .hasMessage("message weight must be <= maxBufferedBytes (4), was 5");
        assertThatThrownBy(() -> bounds.withMaxBufferedBytes(4, s -> -1).weigh("x"))
                .hasMessage("message weight must be >= 0, was -1");
    }
}
