package dev.ordo.pipeline;

import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a child JVM with a small heap by {@link OrderedPipelineFloodTest}: a producer offers
 * 1 KiB messages (reordered within windows of 32) as fast as it can into a pipeline whose handler
 * manages about a tenth of that rate. It checks with constant memory (a bit per message, a counter
 * per key) that nothing was lost, duplicated or reordered per key, prints one line of figures and
 * exits 0 if all held and the budget was never exceeded.
 *
 * <p>Arguments: messages, budget messages, budget bytes.
 */
public final class FloodMain {

    private static final int KEYS = 64;

    private FloodMain() {}

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        long maxMessages = Long.parseLong(args[1]);
        long maxBytes = Long.parseLong(args[2]);
        BitSet handledOnce = new BitSet(messages);
        AtomicLong duplicates = new AtomicLong();
        AtomicLong reorders = new AtomicLong();
        AtomicLongArray lastPerKey = new AtomicLongArray(KEYS);
        for (int k = 0; k < KEYS; k++) {
            lastPerKey.set(k, -1);
        }
        AtomicLong worstBytes = new AtomicLong();
        @SuppressWarnings("unchecked")
        OrderedPipeline<Integer, byte[]>[] holder = new OrderedPipeline[1];
        OrderedPipeline<Integer, byte[]> pipeline = OrderedPipeline.<Integer, byte[]>builder()
                .maxInFlight(maxMessages)
                .maxInFlightBytes(maxBytes)
                .weigher(m -> m.length)
                .maxBuffered((int) (maxMessages / 2))
                .key(FloodMain::keyOf)
                .concurrency(4)
                .handler(m -> {
                    LockSupport.parkNanos(20_000); // the slow consumer
                    int seq = sequenceOf(m);
                    synchronized (handledOnce) {
                        if (handledOnce.get(seq)) {
                            duplicates.incrementAndGet();
                        }
                        handledOnce.set(seq);
                    }
                    // Per key the producer's numbers increase, so each handled one must exceed the last.
                    if (lastPerKey.getAndSet(keyOf(m), seq) > seq) {
                        reorders.incrementAndGet();
                    }
                    worstBytes.accumulateAndGet(holder[0].inFlightBytes(), Math::max);
                })
                .build();
        holder[0] = pipeline;

        Random random = new Random(1);
        long start = System.nanoTime();
        int window = 32;
        int[] order = new int[window];
        for (int base = 0; base < messages; base += window) {
            int n = Math.min(window, messages - base);
            for (int i = 0; i < n; i++) {
                order[i] = base + i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < n; i++) {
                byte[] payload = new byte[1024];
                writeSequence(payload, order[i]);
                pipeline.offer("p", order[i], payload);
            }
        }
        pipeline.close();
        double seconds = (System.nanoTime() - start) / 1e9;
        long handled;
        synchronized (handledOnce) {
            handled = handledOnce.cardinality();
        }
        boolean ok = handled == messages
                && duplicates.get() == 0
                && reorders.get() == 0
                && pipeline.peakInFlight() <= maxMessages
                && worstBytes.get() <= maxBytes;
        System.out.printf(
                "handled=%d peakInFlight=%d worstBytes=%d lost=%d duplicates=%d reorders=%d seconds=%.2f rate=%.0f"
                        + " heapMax=%d ok=%s%n",
                handled,
                pipeline.peakInFlight(),
                worstBytes.get(),
                messages - handled,
                duplicates.get(),
                reorders.get(),
                seconds,
                messages / seconds,
                Runtime.getRuntime().maxMemory(),
                ok);
        System.exit(ok ? 0 : 1);
    }

    private static int keyOf(byte[] payload) {
        return Math.floorMod(sequenceOf(payload) * 31 + 7, KEYS);
    }

    private static void writeSequence(byte[] payload, int seq) {
        payload[0] = (byte) (seq >>> 24);
        payload[1] = (byte) (seq >>> 16);
        payload[2] = (byte) (seq >>> 8);
        payload[3] = (byte) seq;
    }

    private static int sequenceOf(byte[] payload) {
        return (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | (payload[3] & 0xff);
    }
}
