package dev.ordo.causal;

import java.util.Objects;

/**
 * A message stamped with its sender's vector clock at sending, as a {@link CausalProcessor} takes
 * and releases it.
 *
 * @param sender who sent it
 * @param clock the sender's vector clock, counting this message ({@code clock[sender] >= 1})
 * @param message the payload
 */
public record CausalMessage<T>(String sender, VectorClock clock, T message) {

    public CausalMessage {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(message, "message must not be null");
    }
}
