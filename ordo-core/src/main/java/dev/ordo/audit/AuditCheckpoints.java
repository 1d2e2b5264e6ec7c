package dev.ordo.audit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The side file of an audit file, {@code <file>.checkpoints}: one {@link AuditCheckpoint} a line,
 * appended by the trail, read by the verifier. A last line without its newline is a write a crash
 * interrupted and is ignored.
 */
final class AuditCheckpoints {

    private AuditCheckpoints() {}

    static Path of(Path auditFile) {
        return auditFile.resolveSibling(auditFile.getFileName() + ".checkpoints");
    }

    /**
     * The checkpoints in {@code file}, none if it does not exist.
     *
     * @throws IllegalArgumentException naming the file and line of one that is malformed
     */
    static List<AuditCheckpoint> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<AuditCheckpoint> checkpoints = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the part after the last newline is empty or torn
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                checkpoints.add(AuditCheckpoint.parse(lines[i]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return checkpoints;
    }

    /** Appends {@code checkpoint} to {@code file} and forces it. */
    static void append(Path file, AuditCheckpoint checkpoint) throws IOException {
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.seek(out.length());
            out.write((checkpoint + "\n").getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        }
    }
}
