package dev.ordo.audit;

/**
 * The verdict of {@link AuditVerifier#verify}: the chain is {@link Intact}, or {@link Broken} at its
 * first broken link, named by entry index and {@link AuditProblem}.
 */
public sealed interface AuditVerification {

    /** How many entries were read intact (all of them for an intact chain; those before the break otherwise). */
    long entries();

    /** One line for a person: {@code OK: 1200 entries, head 3f2a...} or {@code BROKEN at entry 17: ...}. */
    String summary();

    /**
     * Every entry is where it belongs and links to the one before.
     *
     * @param entries how many entries the chain holds (the file's, and those its tail holds beyond it)
     * @param head the last entry's hash in hex (the header's hash for an empty chain)
     * @param checkpoints how many checkpoints were compared, all matching
     */
    record Intact(long entries, String head, int checkpoints) implements AuditVerification {

        @Override
        public String summary() {
            return "OK: " + entries + " entries, head " + head
                    + (checkpoints == 0
                            ? ""
                            : checkpoints == 1 ? ", 1 checkpoint matches" : ", " + checkpoints + " checkpoints match");
        }
    }

    /**
     * The first broken link.
     *
     * @param index the entry where the chain breaks (for {@link AuditProblem#CUT_SHORT}: where the file ends)
     * @param problem what is wrong there
     * @param message the same in a sentence, with what was expected and what was found
     * @param entries the entries before it, intact
     */
    record Broken(long index, AuditProblem problem, String message, long entries) implements AuditVerification {

        @Override
        public String summary() {
            return "BROKEN at entry " + index + ": " + problem + ", " + message;
        }
    }
}
