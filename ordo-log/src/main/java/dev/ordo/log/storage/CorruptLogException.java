package dev.ordo.log.storage;

import dev.ordo.OrdoException;
import java.nio.file.Path;

/** A sealed segment is damaged in the middle: the log refuses to open rather than lose data silently. */
public class CorruptLogException extends OrdoException {

    private final Path file;
    private final long position;

    public CorruptLogException(Path file, long position, String reason) {
        super("segment " + file + " is corrupt at byte " + position + " (" + reason + "); refusing to open."
                + " Restore the file, or move it and the segments after it away to keep the data before it");
        this.file = file;
        this.position = position;
    }

    public Path file() {
        return file;
    }

    public long position() {
        return position;
    }
}
