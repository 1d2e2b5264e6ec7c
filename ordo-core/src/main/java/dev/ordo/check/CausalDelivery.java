package dev.ordo.check;

import dev.ordo.causal.VectorClock;
import java.util.Objects;

/**
 * One delivery of a causally stamped message at a process, for
 * {@link OrderingChecker#checkCausal(java.util.List)}.
 *
 * @param process where it was delivered
 * @param id the message id
 * @param sender the process that sent it
 * @param clock the sender's causal-broadcast stamp: {@code clock[sender]} is the message's number
 *        among the sender's messages, {@code clock[j]} how many of {@code j}'s messages the sender
 *        had delivered when it sent it
 */
public record CausalDelivery(String process, String id, String sender, VectorClock clock) {

    public CausalDelivery {
        Objects.requireNonNull(process, "process must not be null");
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
    }
}
