package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentAppendTest {

    @TempDir
    Path dir;

    private static LogConfig config() {
        return new LogConfig(4_096, 256, 4_096, FsyncPolicy.none());
    }

    private static RecordBatch.Producer p(long id, int epoch, int sequence) {
        return new RecordBatch.Producer(id, (short) epoch, sequence);
    }

    @Test
    void aRetriedBatchIsNotWrittenTwiceAndGetsItsFirstOffsetBack() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, config())) {
            assertThat(log.append(List.of(rec("a"), rec("b")), p(7, 0, 0))).isZero();
            assertThat(log.append(List.of(rec("c")), p(7, 0, 2))).isEqualTo(2);
            assertThat(log.append(List.of(rec("a"), rec("b")), p(7, 0, 0)))
                    .as("retry of an earlier batch")
                    .isZero();
            assertThat(log.append(List.of(rec("c")), p(7, 0, 2)))
                    .as("retry of the last batch")
                    .isEqualTo(2);
            assertThat(log.nextOffset()).isEqualTo(3);
        }
    }

    @Test
    void duplicatesAreRecognisedAfterARestart() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, config())) {
            log.append(List.of(rec("a")), p(7, 0, 0));
            log.append(List.of(rec("b")), p(7, 0, 1));
        }
        try (PartitionLog log = PartitionLog.open(dir, config())) {
            assertThat(log.append(List.of(rec("b")), p(7, 0, 1))).isEqualTo(1);
            assertThat(log.nextOffset()).isEqualTo(2);
            assertThat(log.append(List.of(rec("c")), p(7, 0, 2))).isEqualTo(2);
        }
    }

    @Test
    void aZombieWithAnOlderEpochIsFencedAndNothingIsWritten() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, config())) {
            log.append(List.of(rec("a")), p(7, 0, 0));
            log.append(List.of(rec("new")), p(7, 1, 0));
            assertThatThrownBy(() -> log.append(List.of(rec("zombie")), p(7, 0, 1)))
                    .isInstanceOf(ProducerFencedException.class)
                    .hasMessageContaining("epoch 0 is fenced: epoch 1 has written");
            assertThat(log.nextOffset()).isEqualTo(2);
        }
    }

    @Test
    void skippedSequenceNumbersAreRefused() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, config())) {
            assertThatThrownBy(() -> log.append(List.of(rec("a")), p(8, 0, 5)))
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessageContaining("starts at 0");
            log.append(List.of(rec("a")), p(8, 0, 0));
            assertThatThrownBy(() -> log.append(List.of(rec("c")), p(8, 0, 2)))
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessage("producer 8 sent sequence 2, expected 1");
            assertThat(log.nextOffset()).isEqualTo(1);
            assertThat(log.append(List.of(rec("plain")), RecordBatch.Producer.NONE))
                    .as("non-idempotent appends are unaffected")
                    .isEqualTo(1);
        }
    }
}
