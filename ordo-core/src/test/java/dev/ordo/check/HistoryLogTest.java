package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
                "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m0\"}\n\n"
                        + "{\"type\":\"sent\",\"key\":\"k\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3: field 'source' is missing");
        Files.writeString(file, "{\"type\":\"lost\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m0\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file))
                .hasMessage("line 1: type must be sent, received or topic, was lost");
        Files.writeString(file, "not json\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessageStartingWith("line 1: not JSON");
        Files.writeString(file, "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"sequence\":\"x\",\"id\":\"m\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessage("line 1: sequence must be an integer, was \"x\"");
    }

    @Test
    void partitionsTimestampsAndTheTopicRoundTrip() throws Exception {
        Expectations expect = Expectations.defaults()
                .withLayout(PartitionLayout.kafkaDefault(8))
                .withTimestampBounds(TimestampBounds.kafkaDefault().withMaxAfter(Duration.ofMinutes(1)));
        History history = new History().expect(expect);
        history.sent(new Message("k", "p", 0, "m0").withTimestamp(1_000).withAt(1_000));
        history.received(new Message("k", "p", 0, "m0").withPartition(3).withAt(2_000));
        Path file = dir.resolve("h.jsonl");
        HistoryLog.write(history, file);

        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "{\"type\":\"topic\",\"partitions\":8,\"timestampAfterMaxMs\":60000}",
                        "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"sequence\":0,\"id\":\"m0\","
                                + "\"timestamp\":1000,\"at\":1000}",
                        "{\"type\":\"received\",\"key\":\"k\",\"source\":\"p\",\"sequence\":0,\"id\":\"m0\","
                                + "\"partition\":3,\"at\":2000}");
        History read = HistoryLog.read(file);
        assertThat(read.expectations()).isEqualTo(expect);
        assertThat(read.sent()).isEqualTo(history.sent());
        assertThat(read.received()).isEqualTo(history.received());
        assertThat(read.check().findings()).isEqualTo(history.check().findings());
    }

    @Test
    void aFileWithoutTheOptionalFieldsReadsAsBefore() throws Exception {
        Path file = dir.resolve("old.jsonl");
        Files.writeString(
                file,
                "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"sequence\":0,\"id\":\"m0\"}\n"
                        + "{\"type\":\"received\",\"key\":\"k\",\"source\":\"p\",\"sequence\":-1,\"id\":\"m0\"}\n");
        History read = HistoryLog.read(file);
        assertThat(read.expectations()).isEqualTo(Expectations.defaults());
        assertThat(read.received()).containsExactly(new Message("k", "p", -1, "m0"));
        assertThat(read.check().isClean()).isTrue();
        HistoryLog.write(read, dir.resolve("again.jsonl"));
        assertThat(Files.readAllLines(dir.resolve("again.jsonl")))
                .as("no topic line for the defaults")
                .hasSize(2);
    }

    @Test
    void theExampleLinesAreAValidHistory() throws Exception {
        Path file = dir.resolve("example.jsonl");
        Files.writeString(
                file,
                HistoryLog.EXAMPLE_TOPIC_LINE + "\n" + HistoryLog.EXAMPLE_LINE.replace("received", "sent") + "\n"
                        + HistoryLog.EXAMPLE_LINE + "\n");
        History read = HistoryLog.read(file);
        assertThat(read.check().isClean()).as(read.check().summary()).isTrue();
        assertThat(read.received().get(0).partition()).isEqualTo(7);
        assertThat(read.expectations().layout()).isPresent();
    }

    @Test
    void badTopicLinesAndNumbersAreRefused() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"type\":\"topic\",\"partitions\":0}\n");
        assertThatThrownBy(() -> HistoryLog.read(file))
                .hasMessage("line 1: partitions must be in [1, 2147483647], was 0");
        Files.writeString(file, "{\"type\":\"topic\"}\n\n{\"type\":\"topic\",\"partitions\":2}\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessage("line 3: a second topic line (the first is line 1)");
        Files.writeString(file, "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m\",\"at\":\"noon\"}\n");
        assertThatThrownBy(() -> HistoryLog.read(file)).hasMessage("line 1: at must be an integer, was \"noon\"");
        Files.writeString(
                file, "{\"type\":\"sent\",\"key\":\"k\",\"source\":\"p\",\"id\":\"m\",\"partition\":4294967296}\n");
        assertThatThrownBy(() -> HistoryLog.read(file))
                .hasMessage("line 1: partition must be <= 2147483647, was 4294967296");
    }

    @Test
    void aLayoutAFileCannotNameIsRefusedBeforeAnythingIsWritten() {
        History history = new History().expect(Expectations.defaults().withLayout(key -> 0));
        Path file = dir.resolve("never.jsonl");
        assertThatThrownBy(() -> HistoryLog.write(history, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("layout must be PartitionLayout.kafkaDefault(count) to be written, was ");
        assertThat(file).doesNotExist();
    }
}
