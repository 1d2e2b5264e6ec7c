package dev.ordo.bench.jmh;

import dev.ordo.audit.AuditSync;
import dev.ordo.audit.AuditTrail;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one audit entry costs on one thread, in nanoseconds, against its floor: an audited trivial handler
 * ({@link AuditTrail#audit}, each {@link AuditSync}) over 1,000 keys in turn, and what every entry needs
 * at the least: the one SHA-256 digest of a hash chain (of a body as long as the audited entries', 106
 * bytes: the previous hash and 74 bytes, two SHA-256 blocks) and the wall clock read for its time.
 * Set against a consumer path's CPU per record ({@code AuditOverheadBenchmark}), this says how much of
 * the audit's share is the chain itself.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AuditAppendBenchmark {

    static final int KEYS = 1_000;

    /** A record as a consumer hands it to a handler. */
    record Entry(String topic, int partition, long offset, String key, String value, Headers headers)
            implements OrdoRecord<String, String> {
        @Override
        public long timestamp() {
            return 0;
        }
    }

    /**
     * A trail with an audited trivial handler, and the records it handles in turn: a new file each
     * iteration, deleted after it, so that an iteration's gigabyte or so never reaches the kernel's
     * write-back thresholds, which would throttle the appends to the disk's speed.
     */
    @State(Scope.Thread)
    public static class Trail {

        @Param({"WRITE", "BUFFERED"})
        public AuditSync sync;

        private Path dir;
        private AuditTrail trail;
        private RecordHandler<String, String> audited;
        private Entry[] records;
        private long offset;
        private int next;

        @Setup(Level.Iteration)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("audit-bench");
            trail = AuditTrail.builder(dir.resolve("bench.audit")).sync(sync).open();
            audited = trail.audit(record -> {});
            records = new Entry[KEYS];
            for (int k = 0; k < KEYS; k++) {
                records[k] = new Entry("ledger", k % 8, 0, "ACC-" + k, "v", Headers.empty());
            }
        }

        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            trail.close();
            Files.deleteIfExists(dir.resolve("bench.audit"));
            Files.deleteIfExists(dir.resolve("bench.audit.checkpoints"));
            Files.deleteIfExists(dir.resolve("bench.audit.tail"));
            Files.deleteIfExists(dir);
        }
    }

    /** The digest a chain needs per entry, into a reused array, as the trail computes it. */
    @State(Scope.Thread)
    public static class Chain {
        private MessageDigest sha;
        private final byte[] hash = new byte[32];
        private final byte[] rest = new byte[106 - 32];

        @Setup(Level.Trial)
        public void setUp() throws NoSuchAlgorithmException {
            sha = MessageDigest.getInstance("SHA-256");
        }
    }

    /** An audited trivial handler: the handler call, the entry's encoding, the key table, the chain, the copies. */
    @Benchmark
    public long auditedHandler(Trail t) throws Exception {
        int k = t.next;
        t.next = k + 1 == KEYS ? 0 : k + 1;
        Entry r = t.records[k];
        t.audited.handle(new Entry(r.topic, r.partition, t.offset++, r.key, r.value, r.headers));
        return t.offset;
    }

    /** The floor of a hash chain: one digest of the previous hash and the rest of an entry, per entry. */
    @Benchmark
    public byte[] chainDigestOnly(Chain c) throws DigestException {
        c.rest[0]++;
        c.sha.update(c.hash);
        c.sha.update(c.rest);
        c.sha.digest(c.hash, 0, c.hash.length);
        return c.hash;
    }

    /** The other thing every entry needs: the time it was handled at. */
    @Benchmark
    public long wallClock() {
        return System.currentTimeMillis();
    }
}
