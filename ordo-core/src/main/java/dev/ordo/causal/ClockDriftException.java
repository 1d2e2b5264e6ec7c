package dev.ordo.causal;

import dev.ordo.OrdoException;

/**
 * A remote hybrid timestamp lies further in the future than the allowed drift: accepting it would
 * drag this node's clock forward by that much, so it is refused. Carries the refused timestamp and
 * the local physical time it was compared with, so the refusal can be reported as a timestamp anomaly.
 */
public class ClockDriftException extends OrdoException {

    private final HybridTimestamp remote;
    private final long localPhysical;

    public ClockDriftException(HybridTimestamp remote, long localPhysical, long maxDriftMillis) {
        super("remote timestamp " + remote + " is " + (remote.physical() - localPhysical)
                + " ms ahead of the local clock " + localPhysical + "; maxDrift is " + maxDriftMillis + " ms");
        this.remote = remote;
        this.localPhysical = localPhysical;
    }

    /** The refused timestamp. */
    public HybridTimestamp remote() {
        return remote;
    }

    /** The local physical clock (epoch milliseconds) when the timestamp was refused. */
    public long localPhysical() {
        return localPhysical;
    }
}
