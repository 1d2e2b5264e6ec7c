package dev.ordo.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tables of {@code docs/errors.md}: one row per bad input, {@code | `input` | `Exception` |
 * `message` |}, keyed by the input cell (the backticks stripped). Read by {@link ErrorsDocTest}, which
 * checks that the code fails as every row says and that every row has a case.
 */
public final class ErrorsDoc {

    /** One row: what went in, what is thrown (or the exit code), and the message. */
    public record Row(String input, String outcome, String message) {}

    private final Path file;
    private final Map<String, Row> rows;

    private ErrorsDoc(Path file, Map<String, Row> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Reads {@code docs/errors.md} of the repository the tests run in (found from the working directory up). */
    public static ErrorsDoc read() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("docs").resolve("errors.md");
            if (Files.isRegularFile(file)) {
                return parse(file);
            }
        }
        throw new IllegalStateException("no docs/errors.md above " + Path.of("").toAbsolutePath());
    }

    private static ErrorsDoc parse(Path file) {
        Map<String, Row> rows = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.startsWith("| `")) {
                    continue; // prose, headers and separators
                }
                String[] cells = line.substring(2, line.length() - 2).split(" \\| ", -1);
                if (cells.length != 3) {
                    throw new IllegalStateException(file + ": a row needs 3 cells, has " + cells.length + ": " + line);
                }
                Row row = new Row(code(cells[0]), code(cells[1]), code(cells[2]));
                if (rows.put(row.input(), row) != null) {
                    throw new IllegalStateException(file + ": two rows for " + row.input());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ErrorsDoc(file, rows);
    }

    /** A cell's text: inside its backticks if it is code. */
    private static String code(String cell) {
        String text = cell.strip();
        return text.length() > 1 && text.startsWith("`") && text.endsWith("`")
                ? text.substring(1, text.length() - 1)
                : text;
    }

    /** The row for {@code input}, if the document has one. */
    public Optional<Row> row(String input) {
        return Optional.ofNullable(rows.get(input));
    }

    /** Every row's input, in the document's order. */
    public Set<String> inputs() {
        return rows.keySet();
    }

    public Path file() {
        return file;
    }
}
