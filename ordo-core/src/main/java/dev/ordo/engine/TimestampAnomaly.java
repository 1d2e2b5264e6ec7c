package dev.ordo.engine;

import dev.ordo.causal.HybridTimestamp;
import java.util.Objects;

/**
 * A record whose hybrid timestamp ({@link OrdoHeaders#HYBRID_TIMESTAMP}) lies further ahead of the
 * receiving clock than its drift bound: the sender's clock runs fast, or the stamp is forged or corrupt.
 * {@link HybridClockHandler} reports it, does not merge the stamp, and still hands the record to the
 * application.
 *
 * @param topic where the record was read
 * @param partition where the record was read
 * @param offset where the record was read
 * @param stamp the refused hybrid timestamp
 * @param localPhysical the receiver's physical clock (epoch milliseconds) when it refused the stamp
 */
public record TimestampAnomaly(String topic, int partition, long offset, HybridTimestamp stamp, long localPhysical) {

    public TimestampAnomaly {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(stamp, "stamp must not be null");
    }

    /** How far the stamp is ahead of the local physical clock, in milliseconds. */
    public long aheadMillis() {
        return stamp.physical() - localPhysical;
    }

    /** Told of every timestamp anomaly, on the thread that handles the record; must not throw. */
    @FunctionalInterface
    public interface Listener {
        void onAnomaly(TimestampAnomaly anomaly);
    }
}
