package dev.ordo.engine;

/**
 * What a consumer does with a record whose handler failed every attempt its {@code Retry} allows.
 * Each choice is explicit; the default loses nothing.
 *
 * <table>
 *   <caption>Failure policies</caption>
 *   <tr><th>policy</th><th>the failing record</th><th>its key's later records</th><th>the commit</th></tr>
 *   <tr><td>{@link #PARK_KEY} (default)</td><td>stays, tried again on {@code resume}, given up only on an
 *       explicit {@code skip}</td><td>wait behind it; other keys go on</td><td>stops before it</td></tr>
 *   <tr><td>{@link #DEAD_LETTER}</td><td>copied to the dead-letter topic (headers say why), then done</td>
 *       <td>go on</td><td>passes it once the copy is acknowledged</td></tr>
 *   <tr><td>{@link #SKIP}</td><td>dropped, logged at WARN and counted</td><td>go on</td><td>passes it</td></tr>
 * </table>
 *
 * <p>With {@code ordering(PARTITION)} the key is the partition, so parking stops the partition. With the
 * embedded engine's committed state ({@code committedState(state)}, exactly-once effects) a parked key stops
 * the whole consumer at its next commit: the state can be committed only where it matches the offsets
 * exactly, which it does not while a record before others is unhandled.
 */
public enum OnFailure {
    /** Stop the record's key until the application resumes or skips it; the other keys go on. */
    PARK_KEY,
    /** Copy the record to the dead-letter topic given with {@code deadLetter(topic)}, then go on. */
    DEAD_LETTER,
    /** Drop the record (WARN log, counted as skipped) and go on: its effect is lost. */
    SKIP
}
