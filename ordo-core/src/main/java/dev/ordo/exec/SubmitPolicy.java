package dev.ordo.exec;

/** What {@link KeyOrderedExecutor#submit} does when the in-flight budget is spent. */
public enum SubmitPolicy {
    /** Wait until earlier tasks finish: backpressure on the submitting thread. */
    BLOCK,
    /** Throw {@link dev.ordo.OverloadedException} at once; nothing is submitted. */
    FAIL_FAST
}
