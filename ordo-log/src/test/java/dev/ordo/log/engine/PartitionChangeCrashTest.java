package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ChildJvm;
import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.log.engine.PartitionCountChange.Step;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine in a child JVM ({@link PartitionChangeCrashChild}) sends with a named idempotent producer,
 * consumes in a group of three (KEY ordering) and changes the topic's partition count along 4, 8, 16, 6,
 * 3 over and over; it is killed with SIGKILL 10 times (half of {@code ordo.crash.cycles}; 250 under
 * {@code -Pchaos}), in turn at each {@link Step} of a change and at a random acknowledgement. A restart
 * after a kill before the new layout was recorded finds the old layout, after it the new one, never a
 * mix; no acknowledged record is lost and no key's records are handled out of order (duplicates after a
 * kill are redelivery). The same run with the group's ordering fence switched off reorders keys, so the
 * check can fail.
 */
class PartitionChangeCrashTest {

    /** What a cycle's child is killed at: each step of a change in turn, then an acknowledgement. */
    private static final Step[] KILL_STEPS = Step.values();

    @TempDir
    Path data;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // the crash cycles' own budget is shorter: ChildJvm.withinCycles
    void killedAtEveryStepOfChangesOfThePartitionCountTheEngineKeepsALayoutLosesNothingAndKeepsKeyOrder() {
        int cycles = Integer.getInteger("ordo.crash.cycles", 20) / 2;
        ChildJvm.withinCycles(cycles, () -> killedAtEveryStep(cycles));
    }

    private void killedAtEveryStep(int cycles) throws Exception {
        Run run = run(true, cycles);
        assertThat(run.changes)
                .as("the run did change the count across the kills")
                .isGreaterThan(5);
        assertThat(run.kills).as("kills at each step of a change").isGreaterThanOrEqualTo(KILL_STEPS.length);
        assertThat(run.lost).as("acknowledged and never consumed").isEmpty();
        assertThat(run.handledTwiceInOneRun).as("duplicates only after a kill").isEmpty();
        assertThat(run.report.count(Anomaly.REORDERED)).as(run.report.summary()).isZero();
        assertThat(run.report.count(Anomaly.UNEXPECTED))
                .as(run.report.summary())
                .isZero();
    }

    @Test
    void withoutTheOrderingFenceTheSameRunHandsKeysOutOfOrder() throws Exception {
        Run run = run(false, 5);
        assertThat(run.lost).as("acknowledged and never consumed").isEmpty();
        assertThat(run.report.count(Anomaly.REORDERED)).as(run.report.summary()).isPositive();
    }

    /** What a run of {@code cycles} killed children and a last clean one found. */
    private record Run(
            int changes, int kills, Set<String> lost, Set<String> handledTwiceInOneRun, CheckReport report) {}

    private Run run(boolean fenced, int cycles) throws Exception {
        Random random = new Random(21);
        History history = new History();
        Set<String> acknowledged = new HashSet<>();
        long next = 0;
        String layout = null;
        String pending = null; // the history the change under way when the child died would leave
        String expected = null; // the history the next start must find, if only one is right
        Step killedAt = null;
        int changes = 0;
        int kills = 0;
        Set<String> handledTwiceInOneRun = new HashSet<>(); // a duplicate not caused by a kill
        for (int cycle = 0; cycle <= cycles; cycle++) {
            boolean last = cycle == cycles;
            long count = last ? 60 : 100 + random.nextInt(100);
            int changesInRun =
                    (int) ((next + count) / PartitionChangeCrashChild.EVERY - next / PartitionChangeCrashChild.EVERY);
            int kind = cycle % (KILL_STEPS.length + 1);
            boolean atStep = !last && kind < KILL_STEPS.length && changesInRun > 0;
            Step step = atStep ? KILL_STEPS[kind] : Step.PAUSED;
            int stopInChange = atStep ? 1 + random.nextInt(changesInRun) : 0;
            long killAfterAcks = last || atStep ? Long.MAX_VALUE : 1 + random.nextInt((int) count);
            Process child = ChildEngines.start(
                    PartitionChangeCrashChild.class,
                    data.toString(),
                    String.valueOf(next),
                    String.valueOf(count),
                    String.valueOf(stopInChange),
                    step.name(),
                    fenced ? "fenced" : "unfenced");
            long acks = 0;
            boolean killed = false;
            Set<String> handledInRun = new HashSet<>();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "LAYOUT" -> {
                            if (expected != null) {
                                assertThat(f[1])
                                        .as("after a kill at %s", killedAt)
                                        .isEqualTo(expected);
                            } else if (layout != null && !f[1].equals(layout)) {
                                assertThat(f[1])
                                        .as("the old layout or the new one, never a mix")
                                        .isEqualTo(pending);
                            }
                            layout = f[1];
                            pending = null;
                            expected = null;
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
                        case "STEP" -> {
                            killedAt = step;
                            expected = step == Step.RECORDED ? pending : layout;
                        }
                        case "CONSUMED" -> {
                            history.received(new Message(f[1], f[1], -1, f[2]));
                            if (!handledInRun.add(f[2])) {
                                handledTwiceInOneRun.add(f[2]);
                            }
                        }
                        case "PRODUCED" -> {
                            if (last) {
                                ChildEngines.awaitConsumed(history, acknowledged, out, child);
                            }
                        }
                        default -> {}
                    }
                    if (!killed && (f[0].equals("STEP") || acks >= killAfterAcks)) {
                        child.toHandle().destroyForcibly(); // the lines written before dying are still read
                        killed = true;
                        kills++;
                    }
                    if (last && line.equals("CLOSED")) {
                        break;
                    }
                }
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(killed || last).as("cycle %d's child was killed", cycle).isTrue();
        }
        Set<String> consumed = new HashSet<>();
        history.received().forEach(m -> consumed.add(m.id()));
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(consumed);
        return new Run(changes, kills, lost, handledTwiceInOneRun, history.check());
    }
}
