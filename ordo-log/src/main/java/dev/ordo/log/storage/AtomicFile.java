package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small files replaced atomically: a crash leaves the old content or the new, never a mix. */
public final class AtomicFile {

    private AtomicFile() {}

    /**
     * The temporary sibling's name: {@code <name>.tmp}, its name cut so that it stays within the 255
     * bytes a file name may have (a topic of 249 characters has a description file of 255).
     */
    static String temporaryName(String name) {
        return name.substring(0, Math.min(name.length(), 251)) + ".tmp";
    }

    /**
     * Writes {@code bytes} to a temporary sibling, forces it to disk, renames it over {@code target}
     * and forces the directory, so the new content survives a crash once this returns.
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(temporaryName(target.getFileName().toString()));
        Files.write(temp, bytes);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for force; the rename is still atomic there.
        }
    }
}
