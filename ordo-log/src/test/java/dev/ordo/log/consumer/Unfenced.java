package dev.ordo.log.consumer;

/**
 * Lets tests outside this package build a consumer without the ordering fence of partition count changes
 * ({@code OrdoConsumer.Builder#fenceLayoutChanges(false)}), to show that a test of the fence can fail.
 */
public final class Unfenced {

    private Unfenced() {}

    /** The builder, set to hand a key's records over without waiting for the partition the key left. */
    public static <K, V> OrdoConsumer.Builder<K, V> unfenced(OrdoConsumer.Builder<K, V> builder) {
        return builder.fenceLayoutChanges(false);
    }
}
