package dev.ordo.audit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads an audit file from its header on and follows the chain entry by entry, up to its end or its
 * first broken link, and from a clean end on into the file's {@link AuditTail}, if a trail left one,
 * as far as the entries there continue the chain: the one reading both the verifier and a reopening
 * trail do, so that what the writer accepts is what the verifier accepts.
 */
final class AuditScanner {

    /**
     * What a scan found.
     *
     * @param header the file's header
     * @param entries the entries read intact
     * @param head the last intact entry's hash (the genesis hash if none)
     * @param fileEnd the byte position after the last intact entry in the file itself
     * @param validEnd the byte position after the last intact entry, in the file or beyond it in the tail
     * @param broken the first broken link, or null
     * @param atTail whether the broken entry is the last thing in the file (a crash may have left it)
     */
    record Scan(
            byte[] header,
            long entries,
            byte[] head,
            long fileEnd,
            long validEnd,
            AuditVerification.Broken broken,
            boolean atTail) {

        AuditVerification verdict(int checkpoints) {
            return broken != null ? broken : new AuditVerification.Intact(entries, AuditFormat.hex(head), checkpoints);
        }
    }

    private final Path file;
    private final List<AuditCheckpoint> checkpoints;
    private final Consumer<AuditEntry> visitor;
    private final MessageDigest sha = AuditFormat.sha256();
    private final long size;

    private byte[] head;
    private long entries;
    private long position;
    private long fileEnd = -1; // until the file's own entries end

    private AuditScanner(Path file, List<AuditCheckpoint> checkpoints, Consumer<AuditEntry> visitor)
            throws IOException {
        this.file = file;
        this.checkpoints = checkpoints;
        this.visitor = visitor;
        this.size = Files.size(file);
    }

    /**
     * Scans {@code file}, comparing the chain with {@code checkpoints} and handing each intact entry to
     * {@code visitor}.
     *
     * @throws IllegalArgumentException if the file is not an audit file of a known version
     */
    static Scan scan(Path file, List<AuditCheckpoint> checkpoints, Consumer<AuditEntry> visitor) throws IOException {
        return new AuditScanner(file, checkpoints, visitor).run();
    }

    /**
     * Goes on with a scan that ended at a broken last entry, after the writer cut that entry off: into
     * the tail from there, which may hold the entry whole.
     */
    static Scan resume(Path file, List<AuditCheckpoint> checkpoints, Scan cut, Consumer<AuditEntry> visitor)
            throws IOException {
        AuditScanner scanner = new AuditScanner(file, checkpoints, visitor);
        scanner.head = cut.head();
        scanner.entries = cut.entries();
        scanner.position = cut.validEnd();
        return scanner.followTail(cut.header());
    }

    private Scan run() throws IOException {
        byte[] header;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            header = in.readNBytes(AuditFormat.HEADER_BYTES);
            AuditFormat.checkHeader(header, file);
            head = AuditFormat.genesis(header);
            position = AuditFormat.HEADER_BYTES;
            AuditVerification.Broken broken = checkpoint();
            if (broken != null) {
                return scan(header, broken, false);
            }
            byte[] lengthField = new byte[4];
            while (true) {
                Arrays.fill(lengthField, (byte) 0);
                int read = in.readNBytes(lengthField, 0, 4);
                int length = ByteBuffer.wrap(lengthField).getInt();
                if (read == 0
                        || (length == 0
                                && restIsZero(in))) { // zeros: the space a trail mapped ahead (before it kept a tail)
                    break;
                }
                if (read < 4) {
                    return scan(header, torn("the file ends inside its length field"), true);
                }
                if (length < AuditFormat.MIN_ENTRY_LENGTH || length > AuditFormat.MAX_ENTRY_LENGTH) {
                    boolean zeros = restIsZero(in);
                    return scan(
                            header,
                            zeros
                                    ? torn("only zeros follow its length field")
                                    : broken(
                                            AuditProblem.MALFORMED,
                                            "its length " + length + " is outside " + AuditFormat.MIN_ENTRY_LENGTH + "-"
                                                    + AuditFormat.MAX_ENTRY_LENGTH),
                            zeros);
                }
                byte[] entry = in.readNBytes(length);
                if (entry.length < length) {
                    return scan(
                            header, torn("the file ends after " + entry.length + " of its " + length + " bytes"), true);
                }
                broken = accept(entry);
                if (broken != null) { // a crash may leave a last entry half copied, zeros or the file's end after it
                    long after = position + 4 + length;
                    boolean last = after == size || restIsZero(file, after);
                    return scan(header, broken, last && broken.problem() == AuditProblem.ALTERED);
                }
                position += 4 + length;
            }
        }
        return followTail(header);
    }

    /**
     * From the end of the file on, the entries its tail holds, as long as they continue the chain: the
     * first that does not (an earlier lap of the circle, zeros, an entry a crash interrupted) ends it.
     */
    private Scan followTail(byte[] header) throws IOException {
        fileEnd = position;
        try (InputStream in = AuditTail.lap(file, position)) {
            if (in != null) {
                byte[] lengthField = new byte[4];
                while (in.readNBytes(lengthField, 0, 4) == 4) {
                    int length = ByteBuffer.wrap(lengthField).getInt();
                    if (length < AuditFormat.MIN_ENTRY_LENGTH || length > TailAppender.MAX_TAILED_BYTES - 4) {
                        break;
                    }
                    byte[] entry = in.readNBytes(length);
                    AuditEntry next = entry.length < length ? null : continuation(entry);
                    if (next == null) {
                        break;
                    }
                    AuditVerification.Broken mismatch = advance(next);
                    if (mismatch != null) {
                        return scan(header, mismatch, false);
                    }
                    position += 4 + length;
                }
            }
        }
        return scan(header, cutShort(), false);
    }

    /** The entry if it is intact and the chain's next, else null. */
    private AuditEntry continuation(byte[] entry) {
        if (!AuditFormat.hashMatches(entry, sha)) {
            return null;
        }
        AuditEntry decoded;
        try {
            decoded = AuditFormat.decode(entry);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return decoded.index() == entries && Arrays.equals(AuditFormat.previous(entry), head) ? decoded : null;
    }

    /** Checks one entry's hash, place and link; null if it is intact, then it is the new head. */
    private AuditVerification.Broken accept(byte[] entry) {
        if (!AuditFormat.hashMatches(entry, sha)) {
            return broken(AuditProblem.ALTERED, "its bytes do not hash to the hash stored with it");
        }
        AuditEntry decoded;
        try {
            decoded = AuditFormat.decode(entry);
        } catch (IllegalArgumentException e) {
            return broken(AuditProblem.MALFORMED, e.getMessage());
        }
        if (decoded.index() > entries) {
            return broken(
                    AuditProblem.MISSING,
                    "entry " + decoded.index() + " stands in its place (entries removed or moved)");
        }
        if (decoded.index() < entries) {
            return broken(
                    AuditProblem.OUT_OF_PLACE,
                    "entry " + decoded.index() + " stands here again (an entry inserted or moved)");
        }
        if (!Arrays.equals(AuditFormat.previous(entry), head)) {
            return broken(
                    AuditProblem.UNLINKED,
                    "it does not carry the hash of "
                            + (entries == 0 ? "the header" : "entry " + (entries - 1))
                            + " (an entry inserted or replaced, or the one before it)");
        }
        return advance(decoded);
    }

    /** Makes {@code next} the head; null unless a checkpoint disagrees. */
    private AuditVerification.Broken advance(AuditEntry next) {
        head = next.hash();
        entries++;
        AuditVerification.Broken mismatch = checkpoint();
        if (mismatch != null) {
            return mismatch;
        }
        visitor.accept(next);
        return null;
    }

    /** Compares the head with each checkpoint taken after as many entries as read so far. */
    private AuditVerification.Broken checkpoint() {
        for (AuditCheckpoint c : checkpoints) {
            if (c.entries() == entries && !Arrays.equals(c.head(), head)) {
                return new AuditVerification.Broken(
                        Math.max(0, entries - 1),
                        AuditProblem.CHECKPOINT_MISMATCH,
                        "the head after " + entries + " entries is " + AuditFormat.hex(head) + ", the checkpoint says "
                                + c.headHex() + " (the chain was rewritten up to here)",
                        entries);
            }
        }
        return null;
    }

    /** At the end of the file: broken if a checkpoint counted more entries than there are. */
    private AuditVerification.Broken cutShort() {
        long promised = entries;
        for (AuditCheckpoint c : checkpoints) {
            promised = Math.max(promised, c.entries());
        }
        if (promised == entries) {
            return null;
        }
        return new AuditVerification.Broken(
                entries,
                AuditProblem.CUT_SHORT,
                "the file ends after " + entries + " entries, a checkpoint counted " + promised
                        + " (entries removed from its end)",
                entries);
    }

    private AuditVerification.Broken torn(String why) {
        return broken(AuditProblem.TORN, why + " (a write a crash interrupted; reopening the trail cuts it off)");
    }

    private AuditVerification.Broken broken(AuditProblem problem, String message) {
        return new AuditVerification.Broken(entries, problem, message, entries);
    }

    private Scan scan(byte[] header, AuditVerification.Broken broken, boolean atTail) {
        return new Scan(header, entries, head, fileEnd < 0 ? position : fileEnd, position, broken, atTail);
    }

    /** Whether {@code file} holds only zeros from {@code from} on. */
    private static boolean restIsZero(Path file, long from) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(from);
            return restIsZero(in);
        }
    }

    private static boolean restIsZero(InputStream in) throws IOException {
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (chunk[i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
