package dev.ordo.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Floods a slow consumer with ten times what it can handle, 200 MiB of 1 KiB messages in all,
 * inside a child JVM limited to a 48 MiB heap: with a 2,000-message / 2 MiB budget the heap holds,
 * the producer is slowed instead, and every message is handled once, in order per key.
 */
class OrderedPipelineFloodTest {

    private static final int MESSAGES = 200_000;

    private static Process flood(long budgetMessages, long budgetBytes) throws IOException {
        return new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx48m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FloodMain.class.getName(),
                        String.valueOf(MESSAGES),
                        String.valueOf(budgetMessages),
                        String.valueOf(budgetBytes)))
                .redirectErrorStream(true)
                .start();
    }

    @Test
    void withoutABudgetTheSameFloodRunsOutOfMemory() throws Exception {
        Process child = flood(10_000_000, Long.MAX_VALUE / 2);
        assertThat(child.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(read(child))
                .as("the control: the test would notice a missing bound")
                .contains("OutOfMemoryError");
    }

    @Test
    void aBoundedHeapSurvivesTenTimesTheConsumersCapacityAndNothingIsDropped() throws Exception {
        int messages = MESSAGES;
        Process child = flood(2000, 2L << 20);
        boolean finished = child.waitFor(50, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly();
        }
        String output = read(child);
        assertThat(finished).as("child finished: %s", output).isTrue();
        assertThat(output).doesNotContain("OutOfMemoryError");
        assertThat(child.exitValue()).as(output).isZero();

        Matcher m = Pattern.compile(
                        "handled=(\\d+) peakInFlight=(\\d+) worstBytes=(\\d+) lost=0 duplicates=0 reorders=0 ")
                .matcher(output);
        assertThat(m.find()).as(output).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(messages);
        assertThat(Long.parseLong(m.group(2))).isLessThanOrEqualTo(2000);
        assertThat(Long.parseLong(m.group(3))).isLessThanOrEqualTo(2L << 20);
    }

    private static String read(Process child) throws IOException {
        return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
