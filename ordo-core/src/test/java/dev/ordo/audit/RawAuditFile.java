package dev.ordo.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An audit file taken apart into its header and its entries (each with its length field), to be
 * tampered with and put together again as someone with write access to the file could.
 */
record RawAuditFile(byte[] header, List<byte[]> entries) {

    static RawAuditFile read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        byte[] header = new byte[AuditFormat.HEADER_BYTES];
        bytes.get(header);
        List<byte[]> entries = new ArrayList<>();
        while (bytes.hasRemaining()) {
            int length = bytes.getInt(bytes.position());
            byte[] entry = new byte[4 + length];
            bytes.get(entry);
            entries.add(entry);
        }
        return new RawAuditFile(header, entries);
    }

    void write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header);
            for (byte[] entry : entries) {
                out.write(entry);
            }
        }
    }

    /** Entry {@code entry} (with its length field) with one field changed and its own hash recomputed, as a careful forger would. */
    static byte[] reforged(byte[] entry) {
        byte[] copy = entry.clone();
        int partitionAt = 4 + AuditFormat.HASH_BYTES + 8 + 8 + 8 + 1;
        copy[partitionAt + 3] ^= 1;
        byte[] hash = AuditFormat.sha256()
                .digest(java.util.Arrays.copyOfRange(copy, 4, copy.length - AuditFormat.HASH_BYTES));
        System.arraycopy(hash, 0, copy, copy.length - AuditFormat.HASH_BYTES, AuditFormat.HASH_BYTES);
        return copy;
    }
}
