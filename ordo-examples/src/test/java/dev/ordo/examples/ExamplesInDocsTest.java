package dev.ordo.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the docs pages cannot drift from the code: every {@code ```java} block in them appears,
 * line for line (leading indentation aside), in an example source of this module, which the build
 * compiles and {@link ExamplesTest} runs; and every relative link in them points at a file and heading
 * that exist.
 */
class ExamplesInDocsTest {

    /** The pages whose Java blocks must be examples (log-format.md and errors.md hold none). */
    private static final List<String> PAGES = List.of(
            "README.md",
            "docs/ordering-stages.md",
            "docs/embedded-log.md",
            "docs/kafka.md",
            "docs/operations.md",
            "docs/delivery-guarantees.md",
            "docs/crdt.md",
            "docs/audit.md");

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static final Path ROOT = Path.of(System.getProperty("ordo.repository.root", ".."));
    private static final Path EXAMPLES = ROOT.resolve("ordo-examples/src/main/java/dev/ordo/examples");

    @Test
    void everyJavaBlockOfTheReadmeAndTheDocsIsInAnExampleSource() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.add(stripped(Files.readAllLines(file)));
            }
        }
        assertThat(sources).isNotEmpty();
        int blocks = 0;
        List<String> missing = new ArrayList<>();
        for (String page : PAGES) {
            for (List<String> block : javaBlocks(read(page))) {
                blocks++;
                if (sources.stream().noneMatch(source -> contains(source, block))) {
                    missing.add(page + ": the block starting '" + block.get(0) + "' ("
                            + firstLineNotInAnySource(block, sources) + ")");
                }
            }
        }
        assertThat(missing)
                .as("Java blocks of the docs not found verbatim in ordo-examples/src/main/java/dev/ordo/examples")
                .isEmpty();
        assertThat(blocks).as("Java blocks checked").isGreaterThanOrEqualTo(10);
    }

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsPointsAtAnExistingFileAndHeading() {
        List<String> broken = new ArrayList<>();
        for (String page : PAGES) {
            Path from = ROOT.resolve(page).getParent();
            Matcher link = LINK.matcher(withoutCodeBlocks(read(page)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved =
                        file.isEmpty() ? ROOT.resolve(page) : from.resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** The Java blocks of a Markdown text, each as its lines stripped, without blank lines at its ends. */
    static List<List<String>> javaBlocks(String markdown) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            if (current == null && trimmed.equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && trimmed.equals("```")) {
                List<String> block = stripped(current);
                while (!block.isEmpty() && block.get(block.size() - 1).isEmpty()) {
                    block.remove(block.size() - 1);
                }
                while (!block.isEmpty() && block.get(0).isEmpty()) {
                    block.remove(0);
                }
                if (!block.isEmpty()) {
                    blocks.add(block);
                }
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    /** Whether {@code block} occurs in {@code source} as consecutive lines. */
    static boolean contains(List<String> source, List<String> block) {
        return Collections.indexOfSubList(source, block) >= 0;
    }

    private static String firstLineNotInAnySource(List<String> block, List<List<String>> sources) {
        int best = 0;
        for (List<String> source : sources) {
            for (int start = 0; start < source.size(); start++) {
                int matched = 0;
                while (matched < block.size()
                        && start + matched < source.size()
                        && source.get(start + matched).equals(block.get(matched))) {
                    matched++;
                }
                best = Math.max(best, matched);
            }
        }
        return "the longest match in a source ends before '" + block.get(best) + "'";
    }

    private static List<String> stripped(List<String> lines) {
        List<String> result = new ArrayList<>(lines.size());
        for (String line : lines) {
            result.add(line.strip());
        }
        return result;
    }

    /** The GitHub anchors of a Markdown file's headings ("## Event time: watermarks" -> "event-time-watermarks"). */
    private static Set<String> anchors(Path file) {
        Set<String> anchors = new HashSet<>();
        if (!file.toString().endsWith(".md")) {
            return anchors;
        }
        for (String line : withoutCodeBlocks(readFile(file)).split("\n")) {
            if (line.startsWith("#")) {
                String slug = line.replaceFirst("^#+\\s*", "")
                        .strip()
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "")
                        .replace(' ', '-');
                String unique = slug;
                for (int i = 1; !anchors.add(unique); i++) {
                    unique = slug + "-" + i;
                }
            }
        }
        return anchors;
    }

    private static String withoutCodeBlocks(String markdown) {
        return markdown.replaceAll("(?ms)^\\s*```.*?^\\s*```\\s*$", "");
    }

    private static String read(String page) {
        return readFile(ROOT.resolve(page));
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read " + file.toAbsolutePath().normalize(), e);
        }
    }
}
