package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.check.CausalDelivery;
import dev.ordo.check.CheckReport;
import dev.ordo.check.OrderingChecker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight nodes on eight threads broadcast to each other through a network that reorders and
 * duplicates; each node delivers through its own {@link CausalDeliveryBuffer}. The checker must
 * find zero causal violations and every node must deliver every message exactly once.
 */
class CausalChatSimulationTest {

    private static final int NODES = 8;
    private static final int MESSAGES_PER_NODE = 150;

    private record Wire(String id, String sender, VectorClock clock) {}

    @Test
    void eightNodesThroughAReorderingDuplicatingNetworkHaveNoCausalViolations() throws Exception {
        List<ConcurrentLinkedQueue<Wire>> inboxes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            inboxes.add(new ConcurrentLinkedQueue<>());
        }
        List<CausalDelivery> deliveries = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(NODES);
        List<CompletableFuture<Long>> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            int self = n;
            nodes.add(CompletableFuture.supplyAsync(() -> runNode(self, inboxes, deliveries), threads));
        }
        CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        threads.shutdown();

        for (CompletableFuture<Long> node : nodes) {
            assertThat(node.get()).isEqualTo((long) NODES * MESSAGES_PER_NODE);
        }
        CheckReport report = OrderingChecker.checkCausal(List.copyOf(deliveries));
        assertThat(report.isClean()).as(report.summary()).isTrue();
        assertThat(report.received()).isEqualTo((long) NODES * NODES * MESSAGES_PER_NODE);
    }

    private static long runNode(int self, List<ConcurrentLinkedQueue<Wire>> inboxes, List<CausalDelivery> deliveries) {
        String name = "node-" + self;
        Random random = new Random(self);
        CausalDeliveryBuffer<Wire> buffer = CausalDeliveryBuffer.<Wire>builder()
                .maxBuffered(NODES * MESSAGES_PER_NODE)
                .build((sender, clock, m) -> deliveries.add(new CausalDelivery(name, m.id(), sender, clock)));
        int sent = 0;
        List<Wire> held = new ArrayList<>();
        while (buffer.deliveredCount() < (long) NODES * MESSAGES_PER_NODE) {
            if (sent < MESSAGES_PER_NODE && random.nextInt(3) == 0) {
                VectorClock stamp = buffer.deliveredClock().increment(name);
                Wire wire = new Wire(name + "#" + stamp.get(name), name, stamp);
                buffer.offer(name, stamp, wire);
                for (int other = 0; other < NODES; other++) {
                    if (other != self) {
                        inboxes.get(other).add(wire);
                        if (random.nextInt(10) == 0) {
                            inboxes.get(other).add(wire);
                        }
                    }
                }
                sent++;
            }
            for (Wire w; (w = inboxes.get(self).poll()) != null; ) {
                held.add(w);
            }
            // The network reorders: hand over a random part of what has arrived, in random order.
            Collections.shuffle(held, random);
            int release = held.isEmpty() ? 0 : 1 + random.nextInt(held.size());
            for (Wire w : held.subList(0, release)) {
                buffer.offer(w.sender(), w.clock(), w);
            }
            held.subList(0, release).clear();
            if (release == 0) {
                Thread.onSpinWait();
            }
        }
        return buffer.deliveredCount();
    }
}
