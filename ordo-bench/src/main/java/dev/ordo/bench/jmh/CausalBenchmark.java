package dev.ordo.bench.jmh;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.causal.VectorClock;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Causal delivery, single-threaded, of 131,072 vector-clocked messages of which 10% are overtaken
 * by up to 1,024 successors: Ordo's {@link CausalDeliveryBuffer} against a straightforward
 * {@link PriorityQueue} implementation of the same job. Scores are messages per second.
 *
 * <ul>
 *   <li>{@code total}: 4 senders in turn, each message depending on every earlier one, a total
 *       order in disguise and the heap's best case (its head is always the next deliverable one).</li>
 *   <li>{@code sparse}: 64 senders picked at random, each message depending on its sender's
 *       previous one and, with probability 1/4, on one of the 256 messages sent before it by
 *       another sender (and so on what that one depends on).</li>
 * </ul>
 *
 * The baseline keeps a heap by the sum of the clock's entries, a linear extension of
 * happened-before (every predecessor of a message has a smaller sum), and after each arrival
 * releases the head while it is deliverable by the Birman-Schiper-Stephenson rule. A blocked head
 * holds back concurrent messages behind it, but once every message has arrived the head is always
 * deliverable, so it delivers them all. Both methods fail the run if they deliver fewer than all.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class CausalBenchmark {

    static final int MESSAGES = 1 << 17;
    static final int TOTAL_ORDER_SENDERS = 4;
    static final int SPARSE_SENDERS = 64;
    static final int SPARSE_DEPENDENCY_PERCENT = 25;
    static final int SPARSE_RECENT = 256;

    @Param({"total", "sparse"})
    public String workload;

    private Long[] payloads;
    private String[] senders;
    private VectorClock[] clocks;
    private int[] arrivalOrder;

    @Setup(Level.Trial)
    public void createWorkload() {
        payloads = Workloads.boxed(Workloads.inOrder(MESSAGES));
        senders = new String[MESSAGES];
        clocks = new VectorClock[MESSAGES];
        switch (workload) {
            case "total" -> totalOrder();
            case "sparse" -> sparse();
            default -> throw new IllegalArgumentException("workload must be total or sparse, was " + workload);
        }
        long[] order = Workloads.displaced(MESSAGES, 10, 1024, 7L);
        arrivalOrder = new int[MESSAGES];
        for (int i = 0; i < MESSAGES; i++) {
            arrivalOrder[i] = (int) order[i];
        }
    }

    private void totalOrder() {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < MESSAGES; i++) {
            String sender = "sender-" + (i % TOTAL_ORDER_SENDERS);
            counts.merge(sender, 1L, Long::sum);
            senders[i] = sender;
            clocks[i] = VectorClock.of(counts);
        }
    }

    private void sparse() {
        SplittableRandom random = new SplittableRandom(20261204L);
        String[] names = new String[SPARSE_SENDERS];
        VectorClock[] knowledge = new VectorClock[SPARSE_SENDERS];
        for (int s = 0; s < SPARSE_SENDERS; s++) {
            names[s] = "sender-" + s;
            knowledge[s] = VectorClock.empty();
        }
        for (int i = 0; i < MESSAGES; i++) {
            int s = random.nextInt(SPARSE_SENDERS);
            if (i > 0 && random.nextInt(100) < SPARSE_DEPENDENCY_PERCENT) {
                int seen = i - 1 - random.nextInt(Math.min(i, SPARSE_RECENT));
                if (!senders[seen].equals(names[s])) {
                    knowledge[s] = knowledge[s].merge(clocks[seen]);
                }
            }
            knowledge[s] = knowledge[s].increment(names[s]);
            senders[i] = names[s];
            clocks[i] = knowledge[s];
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long ordo(Blackhole out) {
        CausalDeliveryBuffer<Long> buffer = CausalDeliveryBuffer.<Long>builder()
                .maxBuffered(MESSAGES)
                .build((sender, clock, message) -> out.consume(message));
        for (int i : arrivalOrder) {
            buffer.offer(senders[i], clocks[i], payloads[i]);
        }
        return all(buffer.deliveredCount());
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long priorityQueue(Blackhole out) {
        PriorityQueue<int[]> heap = new PriorityQueue<>((a, b) -> Integer.compare(a[1], b[1]));
        Map<String, Long> delivered = new HashMap<>();
        long count = 0;
        for (int i : arrivalOrder) {
            heap.add(new int[] {i, sum(clocks[i])});
            while (!heap.isEmpty() && deliverable(heap.peek()[0], delivered)) {
                int m = heap.poll()[0];
                delivered.merge(senders[m], 1L, Long::sum);
                out.consume(payloads[m]);
                count++;
            }
        }
        return all(count);
    }

    private boolean deliverable(int m, Map<String, Long> delivered) {
        VectorClock clock = clocks[m];
        for (int i = 0; i < clock.size(); i++) {
            String node = clock.nodeAt(i);
            long have = delivered.getOrDefault(node, 0L);
            boolean ok = node.equals(senders[m]) ? clock.valueAt(i) == have + 1 : clock.valueAt(i) <= have;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int sum(VectorClock clock) {
        int sum = 0;
        for (int i = 0; i < clock.size(); i++) {
            sum += (int) clock.valueAt(i);
        }
        return sum;
    }

    private static long all(long delivered) {
        if (delivered != MESSAGES) {
            throw new IllegalStateException("delivered " + delivered + " of " + MESSAGES + " messages");
        }
        return delivered;
    }
}
