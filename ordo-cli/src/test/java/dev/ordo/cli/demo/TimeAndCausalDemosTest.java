package dev.ordo.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.OrdoCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TimeAndCausalDemosTest {

    private static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute(args)).as(out.toString()).isEqualTo(expectedExit);
        return out.toString();
    }

    @Test
    void sensorsAreReleasedInEventTimeOrderWithLateOnesOnTheSide() {
        String out = run(0, "demo", "sensors", "--sensors", "10", "--seconds", "30");
        assertThat(out)
                .containsPattern("reordered on arrival\\s+[1-9][\\d,]*")
                .containsPattern("reordered after Ordo\\s+0\\n")
                .contains("no anomalies")
                .contains("RESULT: PASS");
    }

    @Test
    void aTightBoundSendsMoreReadingsToTheSideOutputButStaysOrdered() {
        String out = run(0, "demo", "sensors", "--sensors", "10", "--seconds", "30", "--bound-ms", "0");
        assertThat(out).containsPattern("late -> side output\\s+[1-9][\\d,]*").contains("RESULT: PASS");
    }

    @Test
    void chatRepliesNeverOvertakeTheirQuestionsThroughOrdo() {
        String out = run(0, "demo", "chat", "--users", "4", "--posts", "50");
        assertThat(out)
                .containsPattern("causal violations\\s+[1-9][\\d,]*\\s+0\\n")
                .contains("no causal violations")
                .contains("RESULT: PASS");
    }

    @Test
    void badOptionsAreRefused() {
        StringWriter err = new StringWriter();
        CommandLine cli = OrdoCommand.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "chat", "--users", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("users must be >= 2");
    }
}
