package org.apache.camel.processor.resequencer;

/**
 * Benchmark glue: tells Camel's {@link ResequencerEngine} which element was delivered last, so
 * that the first measured element is released at once instead of after a full timeout (the engine
 * cannot otherwise know that the stream starts at 0). Lives in Camel's package because the setter
 * is package-private; used only by the baseline in {@code ResequencerBenchmark}.
 */
public final class CamelEngineAccess {

    private CamelEngineAccess() {}

    public static <E> void startAfter(ResequencerEngine<E> engine, E lastDelivered) {
        engine.setLastDelivered(lastDelivered);
    }
}
