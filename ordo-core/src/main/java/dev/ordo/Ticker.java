package dev.ordo;

/**
 * A source of monotonic time in nanoseconds, injectable so that every timeout in Ordo can be
 * tested deterministically.
 *
 * <p>Production code uses {@link #system()}; tests use a {@link ManualTicker} and advance it
 * explicitly instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current reading in nanoseconds; only differences between readings are meaningful. */
    long read();

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
