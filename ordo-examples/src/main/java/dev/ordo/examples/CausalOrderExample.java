package dev.ordo.examples;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.causal.DependencyGraphDelivery;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.TotalOrderMerger;
import dev.ordo.causal.VectorClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Causality and total order: a reply is never shown before the post it answers (vector clocks), an
 * update never applied before the record it changes (named dependencies), and commands from several nodes
 * merged into one order every replica agrees on (hybrid logical clocks).
 */
public final class CausalOrderExample {

    private CausalOrderExample() {}

    public static void main(String[] args) {
        System.out.println(timeline());
        System.out.println(applied());
        System.out.println(agreedOrder());
    }

    /** Posts in an order that respects happened-before. */
    static List<String> timeline() {
        List<String> shown = new ArrayList<>();
        CausalDeliveryBuffer<String> timeline = CausalDeliveryBuffer.<String>builder()
                .maxBuffered(10_000)
                .dependencyTimeout(Duration.ofSeconds(30)) // tick() reports a post stuck longer
                .build((sender, clock, post) -> shown.add(post));

        VectorClock question = VectorClock.empty().increment("alice");
        VectorClock answer = question.increment("bob"); // bob had seen alice's post
        timeline.offer("bob", answer, "bob: yes!"); // BUFFERED: waits for the post it answers
        timeline.offer("alice", question, "alice: lunch?"); // DELIVERED, then bob's reply
        return shown;
    }

    /** Events applied after the events they name. */
    static List<String> applied() {
        List<String> applied = new ArrayList<>();
        DependencyGraphDelivery<String> events =
                DependencyGraphDelivery.<String>builder().build((id, event) -> applied.add(id + ": " + event));

        events.offer("update-7", Set.of("create-7"), "rename to Ordo"); // waits for create-7
        events.offer("create-7", Set.of(), "create"); // delivered, then update-7
        return applied;
    }

    /** Commands of two nodes in the one order every replica merging them produces. */
    static List<String> agreedOrder() {
        List<String> order = new ArrayList<>();
        HybridLogicalClock clock = HybridLogicalClock.system();
        TotalOrderMerger<String> merger = TotalOrderMerger.<String>builder()
                .inputs(List.of("node-a", "node-b"))
                .build((node, timestamp, command) -> order.add(node + ": " + command));

        merger.offer("node-b", clock.now(), "x = 2");
        merger.offer("node-a", clock.now(), "x = 1"); // releases node-b's command: node-a is past it
        merger.heartbeat("node-b", clock.now()); // node-b promises nothing earlier: releases node-a's
        return order;
    }
}
