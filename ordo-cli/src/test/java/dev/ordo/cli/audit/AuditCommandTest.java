package dev.ordo.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.audit.AuditTrail;
import dev.ordo.cli.Cli;
import dev.ordo.cli.ExitCode;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordHandler;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {

    @TempDir
    Path dir;

    record Handled(String topic, int partition, long offset, String key) implements OrdoRecord<String, String> {
        @Override
        public long timestamp() {
            return 0;
        }

        @Override
        public String value() {
            return "v";
        }

        @Override
        public Headers headers() {
            return Headers.empty();
        }
    }

    private Path trailOf(int entries) throws Exception {
        Path file = dir.resolve("orders.audit");
        try (AuditTrail trail = AuditTrail.open(file)) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < entries; i++) {
                audited.handle(new Handled("orders", 0, i, "k" + (i % 2)));
            }
        }
        return file;
    }

    /** Removes entry {@code index} from the file, as someone with write access to it could. */
    private static void removeEntry(Path file, int index) throws Exception {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        int at = 36;
        for (int i = 0; i < index; i++) {
            at += 4 + bytes.getInt(at);
        }
        int length = 4 + bytes.getInt(at);
        byte[] all = bytes.array();
        byte[] cut = new byte[all.length - length];
        System.arraycopy(all, 0, cut, 0, at);
        System.arraycopy(all, at + length, cut, at, all.length - at - length);
        Files.write(file, cut);
    }

    @Test
    void anIntactChainIsOkWithItsCountAndHeadAndExitsZero() throws Exception {
        Path file = trailOf(3);
        Cli.Run run = Cli.run("", "audit", "verify", file.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).matches("OK: 3 entries, head [0-9a-f]{64}\\R");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aRemovedEntryIsNamedInOneLineAndExitsOne() throws Exception {
        Path file = trailOf(5);
        removeEntry(file, 2);
        Cli.Run run = Cli.run("", "audit", "verify", file.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(run.out().lines())
                .containsExactly("BROKEN at entry 2: MISSING, entry 3 stands in its place (entries removed or moved)");
    }

    @Test
    void aMissingFileIsOneLineOnStandardErrorAndExitsTwo() {
        Path missing = dir.resolve("nope.audit");
        Cli.Run run = Cli.run("", "audit", "verify", missing.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines())
                .containsExactly("ordo audit verify: FILE must be a readable file, was " + missing + " (no such file)");
    }

    @Test
    void aFileThatIsNoAuditFileIsOneLineAndExitsTwo() throws Exception {
        Path history = Files.writeString(dir.resolve("history.jsonl"), "{\"type\":\"sent\"}\n".repeat(5));
        Cli.Run run = Cli.run("", "audit", "verify", history.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.ERROR);
        assertThat(run.err().lines())
                .containsExactly("ordo audit verify: " + history + " is not an Ordo audit file (no 'ORDOAUDT' header)");
    }

    @Test
    void aCheckpointPublishedElsewhereCatchesEntriesCutOffTheEnd() throws Exception {
        Path file = trailOf(4);
        String head =
                Cli.run("", "audit", "verify", file.toString()).out().strip().split(" ")[4];
        Path published = Files.writeString(dir.resolve("published.txt"), "4 " + head + "\n");
        removeEntry(file, 3);
        assertThat(Cli.run("", "audit", "verify", file.toString()).exit()).isEqualTo(ExitCode.OK);
        Cli.Run run = Cli.run("", "audit", "verify", file.toString(), "--checkpoints", published.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(run.out()).startsWith("BROKEN at entry 3: CUT_SHORT, the file ends after 3 entries");
    }

    @Test
    void showPrintsTheFirstEntriesThenTheVerdict() throws Exception {
        Path file = trailOf(4);
        Cli.Run run = Cli.run("", "audit", "show", file.toString(), "--limit", "2");
        assertThat(run.exit()).isEqualTo(ExitCode.OK);
        assertThat(run.out().lines()).hasSize(3);
        assertThat(run.out().lines().findFirst().orElseThrow()).startsWith("#0 HANDLED orders-0@0 key=k0 at ");
        assertThat(run.out().lines().skip(1).findFirst().orElseThrow()).startsWith("#1 HANDLED orders-0@1 key=k1 at ");
        assertThat(run.out().lines().skip(2).findFirst().orElseThrow()).startsWith("OK: 4 entries");
    }
}
