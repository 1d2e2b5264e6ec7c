package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine in a child JVM appends, consumes in a group (KEY ordering) and changes the topic's
 * partition count along 4, 8, 16, 6, 3 over and over, and is killed with SIGKILL 10 times (half of
 * {@code ordo.crash.cycles}; 250 under {@code -Pchaos}), half of them just as a change begins. Every
 * restart finds the layout history it had before the change or the one after it, never a mix; no
 * acknowledged record is lost and no key's records are handled out of order (duplicates after a kill
 * are redelivery).
 */
class PartitionChangeCrashTest {

    @TempDir
    Path data;

    @Test
    void killedDuringChangesOfThePartitionCountTheEngineKeepsALayoutLosesNothingAndKeepsKeyOrder() throws Exception {
        Random random = new Random(21);
        History history = new History();
        Set<String> acknowledged = new HashSet<>();
        long next = 0;
        String layout = null;
        String pending = null; // the history a change under way when the child died would leave
        int changes = 0;
        int cycles = Integer.getInteger("ordo.crash.cycles", 20) / 2; // each cycle starts a JVM and a group
        for (int cycle = 0; cycle <= cycles; cycle++) {
            boolean last = cycle == cycles;
            long count = last ? 50 : 30 + random.nextInt(100);
            Process child = ChildEngines.start(
                    PartitionChangeCrashChild.class, data.toString(), String.valueOf(next), String.valueOf(count));
            boolean killAtChange = !last && random.nextBoolean();
            long killAfterAcks = last || killAtChange ? Long.MAX_VALUE : 1 + random.nextInt((int) count);
            long acks = 0;
            boolean killed = false;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "LAYOUT" -> {
                            if (layout != null && !f[1].equals(layout)) {
                                assertThat(f[1])
                                        .as("the old layout or the new one, never a mix")
                                        .isEqualTo(pending);
                            }
                            layout = f[1];
                            pending = null;
                        }
                        case "SEND" -> {
                            history.sent(new Message(f[1], f[1], -1, f[2]));
                            next = Long.parseLong(f[2]) + 1;
                        }
                        case "ACK" -> {
                            acknowledged.add(f[2]);
                            acks++;
                        }
                        case "ALTER" -> pending = layout + "," + f[1];
                        case "ALTERED" -> {
                            layout = pending;
                            pending = null;
                            changes++;
                        }
                        case "CONSUMED" -> history.received(new Message(f[1], f[1], -1, f[2]));
                        case "PRODUCED" -> {
                            if (last) {
                                ChildEngines.awaitConsumed(history, acknowledged, out, child);
                            }
                        }
                        default -> {}
                    }
                    if (!killed && ((killAtChange && f[0].equals("ALTER")) || acks >= killAfterAcks)) {
                        child.toHandle().destroyForcibly(); // the lines written before dying are still read
                        killed = true;
                    }
                    if (last && line.equals("CLOSED")) {
                        break;
                    }
                }
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(changes).as("the run did change the count across the kills").isGreaterThan(5);
        Set<String> consumed = new HashSet<>();
        history.received().forEach(m -> consumed.add(m.id()));
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(consumed);
        assertThat(lost).as("acknowledged and never consumed").isEmpty();
        CheckReport report = history.check();
        assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
        assertThat(report.count(Anomaly.UNEXPECTED)).as(report.summary()).isZero();
    }
}
