package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryLogTest {

    @TempDir
    Path dir;

    @Test
    void aHistoryRoundTripsThroughJsonLines() throws Exception {
        History history = new History();
        history.sent(new Message("k", "p", 0, "m0"));
        history.sent(new Message("k", "p", 1, "m1"));
        history.received(new Message("k", "p", 1, "m1"));
        history.received(new Message("k", "p", -1, "m0"));
        Path file = dir.resolve("h.jsonl");
        HistoryLog.write(history, file);

        History read = HistoryLog.read(file);
        assertThat(read.sent()).isEqualTo(history.sent());
        assertThat(read.received()).isEqualTo(history.received());
        assertThat(read.check().count(Anomaly.REORDERED)).isEqualTo(1);
        assertThat(Files.readAllLines(file).get(3))
                .isEqualTo("{\"type\":\"received\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m0\"}");
    }

    @Test
    void badLinesAreRefusedNamingTheLineAndTheProblem() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(
                file,
                "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m0\"}\n\n{\"type\":\"sent\",\"key\":\"k\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3: field 'source' is missing");
        Files.writeString(file, "{\"type\":\"lost\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m0\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessage("line 1: type must be sent or received, was lost");
        Files.writeString(file, "not json\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessageStartingWith("line 1: not JSON");
        Files.writeString(file, "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"sequence\":\"x\",\"id\":\"m\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessage("line 1: sequence must be an integer, was \"x\"");
    }
}
