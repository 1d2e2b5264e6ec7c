package dev.ordo;

import java.time.Duration;
import java.util.Objects;

/**
 * The argument checks every Ordo builder and constructor makes, in one place so that every
 * message has the same form: {@code name must be >= min, was value}.
 *
 * <p>Part of Ordo's internals shared across its modules, not an API for applications.
 */
public final class Arguments {

    private Arguments() {}

    /** Returns {@code value}, or throws {@code name must be >= min, was value}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws {@code name must be >= min, was value}. */
    public static long atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws {@code name must be <= max, was value}. */
    public static int atMost(String name, int value, int max) {
        if (value > max) {
            throw new IllegalArgumentException(name + " must be <= " + max + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws {@code name must be <= max, was value}. */
    public static long atMost(String name, long value, long max) {
        if (value > max) {
            throw new IllegalArgumentException(name + " must be <= " + max + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws if it is null or negative, naming {@code name}. */
    public static Duration nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name + " must not be null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws if it is null, zero or negative, naming {@code name}. */
    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
        return value;
    }
}
