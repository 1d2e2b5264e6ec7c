package dev.ordo.bench.jmh;

import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.processor.resequencer.CamelEngineAccess;
import org.apache.camel.processor.resequencer.ResequencerEngine;
import org.apache.camel.processor.resequencer.SequenceElementComparator;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Single-threaded resequencing of one source's stream of {@value #MESSAGES} messages, in order and
 * with 10% of the messages displaced by up to 1,024 positions, through Ordo's {@link Resequencer},
 * a straightforward {@link PriorityQueue} resequencer and Apache Camel's stream resequencer engine.
 * Scores are messages per second; each invocation resequences the whole stream from a fresh state.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ResequencerBenchmark {

    static final int MESSAGES = 1 << 17;

    @Param({"inOrder", "displaced10pct1024"})
    public String workload;

    private Long[] arrivals;

    @Setup(Level.Trial)
    public void createWorkload() {
        long[] order = workload.equals("inOrder")
                ? Workloads.inOrder(MESSAGES)
                : Workloads.displaced(MESSAGES, 10, 1024, 20261125L);
        arrivals = Workloads.boxed(order);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long ordo(Blackhole out) {
        return resequence(Resequencer.<String, Long>builder().maxBuffered(4096), out);
    }

    /** The same with a timed gap policy (that never fires), which reads the clock when a gap opens. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long ordoSkipAfterTimeout(Blackhole out) {
        return resequence(
                Resequencer.<String, Long>builder()
                        .maxBuffered(4096)
                        .gapPolicy(GapPolicy.skipAfter(Duration.ofHours(1))),
                out);
    }

    private long resequence(Resequencer.Builder<String, Long> builder, Blackhole out) {
        Resequencer<String, Long> resequencer = builder.build((source, sequence, message) -> out.consume(message));
        for (Long m : arrivals) {
            resequencer.offer("p", m, m);
        }
        return resequencer.nextExpected("p");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long priorityQueue(Blackhole out) {
        PriorityQueue<Long> waiting = new PriorityQueue<>();
        long next = 0;
        for (Long m : arrivals) {
            if (m != next) {
                waiting.add(m);
                continue;
            }
            out.consume(m);
            next++;
            while (!waiting.isEmpty() && waiting.peek() == next) {
                out.consume(waiting.poll());
                next++;
            }
        }
        return next;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long camel(CamelEngine engine) throws Exception {
        for (Long m : arrivals) {
            engine.camel.insert(m);
            engine.camel.deliver();
        }
        return engine.delivered;
    }

    /** A fresh Camel engine per invocation (its sequence cannot be rewound), checked afterwards. */
    @State(Scope.Thread)
    public static class CamelEngine {
        ResequencerEngine<Long> camel;
        long delivered;

        @Setup(Level.Invocation)
        public void start(Blackhole out) {
            camel = new ResequencerEngine<>(new LongComparator());
            camel.setTimeout(TimeUnit.HOURS.toMillis(1)); // never time out: measure ordering alone
            delivered = 0;
            camel.setSequenceSender(m -> {
                out.consume(m);
                delivered++;
            });
            camel.start();
            CamelEngineAccess.startAfter(camel, -1L);
        }

        @TearDown(Level.Invocation)
        public void stop() {
            camel.stop();
            if (delivered != MESSAGES) {
                throw new IllegalStateException("Camel delivered " + delivered + " of " + MESSAGES);
            }
        }
    }

    /** Camel's view of a stream of consecutive longs. */
    static final class LongComparator implements SequenceElementComparator<Long> {
        @Override
        public boolean predecessor(Long o1, Long o2) {
            return o1 == o2 - 1;
        }

        @Override
        public boolean successor(Long o1, Long o2) {
            return o1 == o2 + 1;
        }

        @Override
        public boolean isValid(Long o) {
            return o != null;
        }

        @Override
        public int compare(Long o1, Long o2) {
            return Long.compare(o1, o2);
        }
    }
}
