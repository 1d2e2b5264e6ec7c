package dev.ordo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ordo.engine.OnFailure;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.CorruptLogException;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.sequence.Resequencer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/errors.md} and the code cannot drift apart: every case below fails exactly as its row of
 * the document says (exception and message, or exit code and the line on standard error), and every
 * row has a case. To add one: a row in the document and a case here, with the same input text.
 * Placeholders: {@code <dir>} a data directory holding topic {@code t} (one partition), {@code <file>}
 * a regular file, {@code <missing>} a path where nothing is.
 */
class ErrorsDocTest {

    private static final ErrorsDoc DOC = ErrorsDoc.read();

    @TempDir
    Path temp;

    /** Code that must throw; it gets the case's {@link Fixture}. */
    interface Action {
        void run(Fixture fixture) throws Exception;
    }

    /** A row of the document: its input, the exception's simple name (or {@code exit 2}), the message, and the code. */
    record Case(String input, String outcome, String message, Action action) {}

    private static Case java(String input, Class<? extends Throwable> thrown, String message, Action action) {
        return new Case(input, thrown.getSimpleName(), message, action);
    }

    /**
     * A command line: {@code ordo ARGS [<<< 'STDIN'] [# <dir> is open in another process]}; it must exit
     * with 2 and print {@code message} as its one line on standard error.
     */
    private static Case cli(String input, String message) {
        return new Case(input, "exit " + ExitCode.ERROR, message, null);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Topic specifications
        cases.add(java(
                "TopicSpec.partitions(0)",
                IllegalArgumentException.class,
                "partitions must be in [1, 10000], was 0",
                f -> TopicSpec.partitions(0)));
        cases.add(java(
                "TopicSpec.partitions(100000)",
                IllegalArgumentException.class,
                "partitions must be in [1, 10000], was 100000",
                f -> TopicSpec.partitions(100_000)));
        cases.add(java(
                "TopicSpec.partitions(1).segmentBytes(10)",
                IllegalArgumentException.class,
                "segmentBytes must be >= 56, was 10",
                f -> TopicSpec.partitions(1).segmentBytes(10)));
        cases.add(java(
                "new LogConfig(1 << 30, 4096, 128 << 20, FsyncPolicy.DEFAULT)",
                IllegalArgumentException.class,
                "maxBatchBytes must be in [56, 67108864] (at most segmentBytes and 67108864), was 134217728",
                f -> new LogConfig(1 << 30, 4096, 128 << 20, FsyncPolicy.DEFAULT)));
        cases.add(java(
                "FsyncPolicy.interval(Duration.ZERO)",
                IllegalArgumentException.class,
                "fsync interval must be > 0, was PT0S",
                f -> FsyncPolicy.interval(Duration.ZERO)));
        cases.add(java(
                "TopicSpec.parseFsync(\"often\")",
                IllegalArgumentException.class,
                "fsync must be every-batch, none or interval:<N>ms, was 'often'",
                f -> TopicSpec.parseFsync("often")));
        cases.add(java(
                "LogConfig.Retention.bytes(0)",
                IllegalArgumentException.class,
                "retention maxBytes must be > 0 or -1 (unlimited), was 0",
                f -> LogConfig.Retention.bytes(0)));
        // Topic names and topics
        cases.add(java(
                "log.createTopic(\"a/b\", spec)",
                IllegalArgumentException.class,
                "topic must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', was 'a/b'",
                f -> f.log().createTopic("a/b", TopicSpec.partitions(1))));
        cases.add(java(
                "log.createTopic(\"..\", spec)",
                IllegalArgumentException.class,
                "topic must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', was '..'",
                f -> f.log().createTopic("..", TopicSpec.partitions(1))));
        cases.add(java(
                "log.createTopic(\"x\".repeat(250), spec)",
                IllegalArgumentException.class,
                "topic must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', was '" + "x".repeat(60)
                        + "...' (250 characters)",
                f -> f.log().createTopic("x".repeat(250), TopicSpec.partitions(1))));
        cases.add(java(
                "log.createTopic(\"t\", spec)  // t exists",
                IllegalArgumentException.class,
                "topic 't' already exists",
                f -> f.log().createTopic("t", TopicSpec.partitions(1))));
        cases.add(java(
                "log.append(\"nope\", key, value)",
                IllegalArgumentException.class,
                "topic 'nope' does not exist; existing topics: [t]",
                f -> f.log().append("nope", null, new byte[1])));
        // Reads
        cases.add(java(
                "log.read(\"t\", 1, 0, 1024)",
                IllegalArgumentException.class,
                "partition must be in [0, 1) for topic 't', was 1",
                f -> f.log().read("t", 1, 0, 1024)));
        cases.add(java(
                "log.read(\"t\", 0, -1, 1024)",
                IllegalArgumentException.class,
                "fromOffset must be >= the log start offset 0, was -1",
                f -> f.log().read("t", 0, -1, 1024)));
        cases.add(java(
                "log.read(\"t\", 0, 0, 0)",
                IllegalArgumentException.class,
                "maxBytes must be >= 1, was 0",
                f -> f.log().read("t", 0, 0, 0)));
        cases.add(java(
                "PartitionLog.read(1, 1024)  // batch 1 of <dir>/d-0 has a flipped bit",
                CorruptLogException.class,
                "topic 'd' partition 0: segment <dir>/d-0/00000000000000000000.log is damaged at byte 64 (batch CRC"
                        + " mismatch: stored 22ef14fd, computed 524d6977); offsets 1-5 cannot be read"
                        + " (every record before them can). 'ordo topics repair d --data <dir>'"
                        + " (EmbeddedLog.repairTopic) cuts the segment there, losing offsets 1-5, as --on-corruption"
                        + " skip does on open; or restore the segment from a copy",
                ErrorsDocTest::readADamagedBatch));
        // The data directory and the engine's life
        cases.add(java(
                "EmbeddedLog.open(<file>)",
                IllegalArgumentException.class,
                "root must be a directory, was <file> (not a directory)",
                f -> EmbeddedLog.open(f.file).close()));
        cases.add(java(
                "EmbeddedLog.open(<dir>)  // <dir> is open",
                IllegalStateException.class,
                "data directory <dir> is in use by another Ordo instance (lock file <dir>/.lock); one process owns a"
                        + " data directory",
                f -> {
                    f.log();
                    EmbeddedLog.open(f.dir).close();
                }));
        cases.add(java(
                "log.createTopic(\"u\", spec)  // after log.close()",
                IllegalStateException.class,
                "the log at <dir> is closed",
                f -> {
                    f.log().close();
                    f.log().createTopic("u", TopicSpec.partitions(1));
                }));
        cases.add(java(
                "log.append(\"t\", key, value)  // after log.close()",
                IllegalStateException.class,
                "the log at <dir> is closed",
                f -> {
                    f.log().close();
                    f.log().append("t", null, new byte[1]);
                }));
        cases.add(java(
                "EmbeddedLog.checkTopic(<dir>, \"nope\")",
                IllegalArgumentException.class,
                "topic 'nope' does not exist; existing topics: [t]",
                f -> EmbeddedLog.checkTopic(f.dir, "nope")));
        cases.add(java(
                "EmbeddedLog.repairTopic(<missing>, \"t\")",
                IllegalArgumentException.class,
                "root must be a data directory, was <missing> (no such directory)",
                f -> EmbeddedLog.repairTopic(f.missing, "t")));
        // Producers, consumers and stages
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").group(\" \")",
                IllegalArgumentException.class,
                "group must be 1-200 characters of [a-zA-Z0-9._-], was ' '",
                f -> OrdoConsumer.builder(f.log(), "t").group(" ")));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").concurrency(0)",
                IllegalArgumentException.class,
                "concurrency must be >= 1, was 0",
                f -> OrdoConsumer.builder(f.log(), "t").concurrency(0)));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").maxInFlight(0)",
                IllegalArgumentException.class,
                "maxInFlight must be >= 1, was 0",
                f -> OrdoConsumer.builder(f.log(), "t").maxInFlight(0)));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").commitInterval(Duration.ZERO)",
                IllegalArgumentException.class,
                "commitInterval must be > 0, was PT0S",
                f -> OrdoConsumer.builder(f.log(), "t").commitInterval(Duration.ZERO)));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").onFailure(OnFailure.DEAD_LETTER)",
                IllegalArgumentException.class,
                "onFailure DEAD_LETTER needs a topic: use deadLetter(topic)",
                f -> OrdoConsumer.builder(f.log(), "t").onFailure(OnFailure.DEAD_LETTER)));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").seek(0, -1)",
                IllegalArgumentException.class,
                "offset must be >= 0, was -1",
                f -> OrdoConsumer.builder(f.log(), "t").seek(0, -1)));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").group(\"g\").start()",
                IllegalStateException.class,
                "handler must be set before start()",
                f -> OrdoConsumer.builder(f.log(), "t").group("g").start()));
        cases.add(java(
                "OrdoConsumer.builder(log, \"t\").group(\"g\").handler(h).deadLetter(\"t.dlq\").start()",
                IllegalArgumentException.class,
                "deadLetter topic 't.dlq' does not exist; create it, or use deadLetter(topic, true)"
                        + " to have the consumer create it",
                f -> OrdoConsumer.builder(f.log(), "t")
                        .group("g")
                        .handler(r -> {})
                        .deadLetter("t.dlq")
                        .start()));
        cases.add(java(
                "OrdoConsumer.builder(log, \"nope\").group(\"g\").handler(h).start()",
                IllegalArgumentException.class,
                "topic 'nope' does not exist; existing topics: [t]",
                f -> OrdoConsumer.builder(f.log(), "nope")
                        .group("g")
                        .handler(r -> {})
                        .start()));
        cases.add(java(
                "OrdoProducer.builder(log, \"nope\").build()",
                IllegalArgumentException.class,
                "topic 'nope' does not exist; existing topics: [t]",
                f -> OrdoProducer.builder(f.log(), "nope").build()));
        cases.add(java(
                "OrdoProducer.builder(log, \"t\").name(\"no spaces\")",
                IllegalArgumentException.class,
                "name must be 1-200 characters of [a-zA-Z0-9._-], was 'no spaces'",
                f -> OrdoProducer.builder(f.log(), "t").name("no spaces")));
        cases.add(java(
                "OrdoProducer.builder(log, \"t\").linger(Duration.ofMillis(-1))",
                IllegalArgumentException.class,
                "linger must be >= 0, was PT-0.001S",
                f -> OrdoProducer.builder(f.log(), "t").linger(Duration.ofMillis(-1))));
        cases.add(java(
                "producer.send(key, value)  // after producer.close()",
                IllegalStateException.class,
                "producer for topic 't' is closed",
                f -> {
                    OrdoProducer<byte[], byte[]> producer =
                            OrdoProducer.builder(f.log(), "t").build();
                    producer.close();
                    producer.send(new byte[1], new byte[1]);
                }));
        cases.add(java(
                "OutgoingRecord.of(key, value).withTimestamp(-5)",
                IllegalArgumentException.class,
                "timestamp must be >= 0 epoch milliseconds, was -5",
                f -> OutgoingRecord.of("k", "v").withTimestamp(-5)));
        cases.add(java(
                "Resequencer.builder().maxBuffered(0)",
                IllegalArgumentException.class,
                "maxBuffered must be >= 1, was 0",
                f -> Resequencer.builder().maxBuffered(0)));
        cases.add(java(
                "resequencer.offer(\"a\", -1, message)",
                IllegalArgumentException.class,
                "sequence must be >= 0, was -1 (source a)",
                f -> Resequencer.<String, String>builder()
                        .build((s, q, m) -> {})
                        .offer("a", -1, "m")));
        cases.add(java(
                "KeyOrderedExecutor.builder().concurrency(0)",
                IllegalArgumentException.class,
                "concurrency must be >= 1, was 0",
                f -> KeyOrderedExecutor.builder().concurrency(0)));
        // The command line
        cases.add(cli(
                "ordo replicate --help",
                "ordo: 'replicate' is not a command; the commands are demo, verify, topics, produce, consume, migrate,"
                        + " serve, explain, audit, help"
                        + " (see 'ordo --help')"));
        cases.add(cli(
                "ordo consume t", "ordo consume: Missing required option: '--data=DIR' (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo topics list --data <missing>",
                "ordo topics list: --data must be an existing data directory, was <missing> (no such directory;"
                        + " 'ordo topics create' makes one)"));
        cases.add(cli(
                "ordo topics create u --data <file>",
                "ordo topics create: --data must be a directory, was <file> (not a directory)"));
        cases.add(cli(
                "ordo topics list --data <dir>  # <dir> is open in another process",
                "ordo topics list: data directory <dir> is in use by another Ordo instance (lock file <dir>/.lock);"
                        + " one process owns a data directory"));
        cases.add(cli(
                "ordo topics create u --partitions 100000 --data <dir>",
                "ordo topics create: partitions must be in [1, 10000], was 100000"));
        cases.add(cli(
                "ordo topics create u --fsync often --data <dir>",
                "ordo topics create: fsync must be every-batch, none or interval:<N>ms, was 'often'"));
        cases.add(cli(
                "ordo topics create a/b --data <dir>",
                "ordo topics create: topic must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', was 'a/b'"));
        cases.add(cli("ordo topics create t --data <dir>", "ordo topics create: topic 't' already exists"));
        cases.add(cli(
                "ordo topics check nope --data <dir>",
                "ordo topics check: topic 'nope' does not exist; existing topics: [t]"));
        cases.add(cli(
                "ordo produce t --data <dir> <<< '{bad'",
                "ordo produce: line 1 starts with '{' but is not a JSON object: {bad"));
        cases.add(cli(
                "ordo consume nope --data <dir>", "ordo consume: topic 'nope' does not exist; existing topics: [t]"));
        cases.add(cli(
                "ordo consume t --offset -1 --data <dir>",
                "ordo consume: --offset must be >= 0, was -1 (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo consume t --max 0 --data <dir>",
                "ordo consume: --max must be >= 1, was 0 (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo consume t --offset 5 --from-beginning --data <dir>",
                "ordo consume: --offset and --from-beginning exclude each other (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo consume t --ordering key --data <dir>",
                "ordo consume: --ordering needs --group: without a group, records are printed partition after"
                        + " partition, each in offset order (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo consume t --group g --offset 5 --data <dir>",
                "ordo consume: --offset cannot be combined with --group: a group resumes from its committed offsets"
                        + " (see 'ordo consume --help')"));
        cases.add(cli(
                "ordo verify <dir>",
                "ordo verify: HISTORY must be a readable file, was <dir> (a directory) (see 'ordo verify --help')"));
        cases.add(cli(
                "ordo audit verify <missing>",
                "ordo audit verify: FILE must be a readable file, was <missing> (no such file)"));
        cases.add(cli(
                "ordo audit verify <file>",
                "ordo audit verify: <file> is not an Ordo audit file (no 'ORDOAUDT' header)"));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseFailsAsItsRowSays() {
        return cases().stream()
                .map(c -> dynamicTest(c.input(), () -> {
                    assertThat(DOC.row(c.input()))
                            .as("a row for %s in %s", c.input(), DOC.file())
                            .hasValue(new ErrorsDoc.Row(c.input(), c.outcome(), c.message()));
                    try (Fixture fixture = new Fixture(Files.createTempDirectory(temp, "case"))) {
                        String expected = fixture.placed(c.message());
                        if (c.action() == null) {
                            Cli.Run run = fixture.runCommand(c.input());
                            assertThat(run.exit())
                                    .as("exit code; stderr: %s", run.err())
                                    .isEqualTo(ExitCode.ERROR);
                            assertThat(run.err().lines()).containsExactly(expected);
                        } else {
                            Throwable thrown = catchThrowable(() -> c.action().run(fixture));
                            assertThat(thrown).as("thrown by " + c.input()).isNotNull();
                            assertThat(thrown.getClass().getSimpleName()).isEqualTo(c.outcome());
                            assertThat(thrown.getMessage()).isEqualTo(expected);
                        }
                    }
                }));
    }

    @Test
    void everyRowOfTheDocumentHasACase() {
        assertThat(DOC.inputs())
                .containsExactlyInAnyOrderElementsOf(
                        cases().stream().map(Case::input).toList());
    }

    /**
     * Writes 12 batches of one record (fixed timestamps, so fixed CRCs) into 400-byte segments,
     * damages batch 1, reads it.
     */
    private static void readADamagedBatch(Fixture f) throws IOException {
        Path dir = f.dir.resolve("d-0");
        LogConfig config = new LogConfig(400, 64, 400, FsyncPolicy.none());
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; i < 12; i++) {
                log.append(
                        List.of(Record.of(
                                1_000,
                                "k".getBytes(StandardCharsets.UTF_8),
                                ("v" + i).getBytes(StandardCharsets.UTF_8))),
                        RecordBatch.Producer.NONE);
            }
        }
        try (RandomAccessFile file =
                new RandomAccessFile(dir.resolve("00000000000000000000.log").toFile(), "rw")) {
            file.seek(64 + 61); // batch 1 starts at byte 64 (batches of 64 bytes); a byte of its record
            int b = file.read();
            file.seek(64 + 61);
            file.write(b ^ 0x10);
        }
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            assertThat(log.read(0, 1024)).hasSize(1);
            log.read(1, 1024);
        }
    }

    /** The places a case works in: a data directory with topic {@code t}, a file, a missing path. */
    static final class Fixture implements AutoCloseable {
        final Path dir;
        final Path file;
        final Path missing;
        private EmbeddedLog log;

        Fixture(Path temp) throws IOException {
            dir = temp.resolve("data");
            try (EmbeddedLog created = EmbeddedLog.open(dir)) {
                created.createTopic("t", TopicSpec.partitions(1));
            }
            file = Files.writeString(temp.resolve("file"), "x");
            missing = temp.resolve("missing");
        }

        /** The engine on {@link #dir}, opened on first use and closed with the fixture. */
        EmbeddedLog log() throws IOException {
            if (log == null) {
                log = EmbeddedLog.open(dir);
            }
            return log;
        }

        /** {@code text} with the placeholders replaced by this fixture's paths. */
        String placed(String text) {
            return text.replace("<dir>", dir.toString())
                    .replace("<file>", file.toString())
                    .replace("<missing>", missing.toString());
        }

        /** Runs the command of a command-line case. */
        Cli.Run runCommand(String input) throws IOException {
            String command = input;
            if (command.contains("  # ")) { // the comment says what holds the data directory meanwhile
                command = command.substring(0, command.indexOf("  # "));
                log();
            }
            String stdin = "";
            if (command.contains(" <<< ")) {
                stdin = command.substring(command.indexOf(" <<< ") + 5).replace("'", "") + "\n";
                command = command.substring(0, command.indexOf(" <<< "));
            }
            String[] words = placed(command).split(" ");
            return Cli.run(stdin, Arrays.copyOfRange(words, 1, words.length));
        }

        @Override
        public void close() throws IOException {
            if (log != null) {
                log.close();
            }
        }
    }
}
