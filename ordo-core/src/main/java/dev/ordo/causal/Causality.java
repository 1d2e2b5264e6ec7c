package dev.ordo.causal;

/** How two vector clock readings (two events) relate under happened-before. */
public enum Causality {
    /** The first happened before the second. */
    BEFORE,
    /** The first happened after the second. */
    AFTER,
    /** The same reading. */
    EQUAL,
    /** Neither happened before the other. */
    CONCURRENT
}
