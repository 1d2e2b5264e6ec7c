package dev.ordo.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Checks an audit file written by an {@link AuditTrail}: every entry intact, in its place, linked to
 * the one before, and the chain's head where each checkpoint says. The verdict names the first
 * broken link. Where the file ends cleanly, the entries its tail ({@code <file>.tail}, kept by an open
 * {@link AuditSync#WRITE} trail or left by one whose process died) holds beyond that end are read as
 * well, as long as they continue the chain.
 *
 * <pre>{@code
 * AuditVerification v = AuditVerifier.verify(Path.of("audit/orders.audit"));
 * if (v instanceof AuditVerification.Broken broken) {
 *     alert(broken.index(), broken.problem(), broken.message());
 * }
 * }</pre>
 *
 * <p>What an intact chain proves, and what it cannot (entries cut off the end without a checkpoint, a
 * chain rewritten from scratch by whoever can write the file), is in {@code docs/audit.md}.
 */
public final class AuditVerifier {

    private AuditVerifier() {}

    /**
     * Verifies {@code file} against the checkpoints of its side file ({@code <file>.checkpoints}), if it has one.
     *
     * @throws IOException if the file cannot be read (a missing file: {@link java.nio.file.NoSuchFileException})
     * @throws IllegalArgumentException if it is not an audit file, or a checkpoint line is malformed
     */
    public static AuditVerification verify(Path file) throws IOException {
        return verify(file, AuditCheckpoints.read(AuditCheckpoints.of(file)), entry -> {});
    }

    /**
     * Verifies {@code file} against {@code checkpoints} (published elsewhere: its side file is not read),
     * handing each intact entry, in order, to {@code visitor}.
     */
    public static AuditVerification verify(Path file, List<AuditCheckpoint> checkpoints, Consumer<AuditEntry> visitor)
            throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        Objects.requireNonNull(checkpoints, "checkpoints must not be null");
        Objects.requireNonNull(visitor, "visitor must not be null");
        return AuditScanner.scan(file, checkpoints, visitor).verdict(checkpoints.size());
    }

    /** The checkpoints in {@code file}'s side file ({@code <file>.checkpoints}); none if it has none. */
    public static List<AuditCheckpoint> sideCheckpoints(Path file) throws IOException {
        return AuditCheckpoints.read(AuditCheckpoints.of(file));
    }
}
