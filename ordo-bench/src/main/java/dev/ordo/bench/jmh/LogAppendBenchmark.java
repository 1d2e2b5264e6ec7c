package dev.ordo.bench.jmh;

import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending records to one partition of the embedded log, in batches of 100 records (as a
 * producer's batching would), against the physical limit measured in the same run: plain
 * {@link FileChannel} writes of the same number of bytes to a file on the same disk.
 * Scores are records per second; the fsync policy of the log is a parameter ({@code none} =
 * page cache, {@code interval} = forced every 5 ms by a background thread). Each trial starts
 * with an empty directory; the log rolls 64 MiB segments.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class LogAppendBenchmark {

    static final int BATCH = 100;

    @Param({"100", "1024"})
    public int recordBytes;

    @Param({"none", "interval"})
    public String fsync;

    private Path dir;
    private PartitionLog log;
    private FileChannel raw;
    private List<Record> batch;
    private ByteBuffer rawBytes;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("ordo-append-bench");
        FsyncPolicy policy = fsync.equals("none") ? FsyncPolicy.none() : FsyncPolicy.interval(Duration.ofMillis(5));
        log = PartitionLog.open(dir.resolve("log"), new LogConfig(64 << 20, 4096, 1 << 20, policy));
        raw = FileChannel.open(dir.resolve("raw"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(Record.of(1_700_000_000_000L + i, null, new byte[recordBytes]));
        }
        rawBytes = ByteBuffer.allocate(BATCH * recordBytes);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        raw.close();
        Directories.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ordoAppend() throws IOException {
        return log.append(batch, RecordBatch.Producer.NONE);
    }

    /** The same payload bytes written straight to a file: what the disk and page cache allow. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int rawFileChannelWrite() throws IOException {
        rawBytes.clear();
        int written = 0;
        while (rawBytes.hasRemaining()) {
            written += raw.write(rawBytes);
        }
        return written;
    }
}
