package dev.ordo.examples;

import dev.ordo.causal.ConflictResolver;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.Versioned;
import dev.ordo.causal.VersionedValue;
import dev.ordo.crdt.ORSet;
import dev.ordo.crdt.PNCounter;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CRDTs and conflict resolution (docs/crdt.md): a ledger whose deposits are PN-Counter deltas declared
 * commutative, so they skip the ordering while withdrawals keep it; replicas of a shopping cart that agree
 * whatever order they merge in; and two regions' concurrent writes of one address resolved alike.
 */
public final class CrdtExample {

    private CrdtExample() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        System.out.println(balances(Files.createTempDirectory("ordo-crdt"))); // {ACC-1=800}
        System.out.println(carts()); // [sku-7, sku-9] twice
        System.out.println(address()); // one address twice: both replicas resolved the conflict alike
    }

    /** The classic ledger as PN-Counter deltas: deposits commutative, withdrawals in order. */
    static Map<String, Long> balances(Path dataDir) throws IOException, InterruptedException {
        Map<String, PNCounter> balances = new ConcurrentHashMap<>();
        try (EmbeddedLog log = EmbeddedLog.open(dataDir)) {
            log.createTopic("ledger", TopicSpec.partitions(8));
            PNCounter teller = PNCounter.empty(); // what teller-1 has sent, to make its next delta from
            try (OrdoProducer<String, byte[]> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.bytes())
                    .build()) {
                for (long amount : new long[] {1000, -300, 100, 0}) {
                    PNCounter delta = teller.add("teller-1", amount);
                    teller = teller.merge(delta);
                    Headers op = Headers.empty().with("op", amount > 0 ? "deposit" : "withdraw");
                    producer.send(OutgoingRecord.of("ACC-1", delta.encode()).withHeaders(op));
                }
            }
            try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.bytes())
                    .group("balances")
                    .commutative(headers -> "deposit".equals(headers.lastString("op"))) // any order, in parallel
                    .handler(record -> balances.merge(record.key(), PNCounter.decode(record.value()), PNCounter::merge))
                    .start()) {
                consumer.awaitCaughtUp(Duration.ofSeconds(30));
            }
        }
        Map<String, Long> values = new ConcurrentHashMap<>();
        balances.forEach((account, counter) -> values.put(account, counter.value()));
        return values;
    }

    /** Two replicas of a cart that receive the same deltas in different orders, one twice, agree. */
    static List<Set<String>> carts() {
        ORSet<String> phone = ORSet.empty();
        ORSet<String> addSku7 = phone.add("phone", "sku-7");
        phone = phone.merge(addSku7);
        ORSet<String> removeSku7 = phone.remove("sku-7"); // removes the additions the phone has seen
        ORSet<String> laptop = ORSet.empty();
        ORSet<String> addSku9 = laptop.add("laptop", "sku-9");
        laptop = laptop.merge(addSku9);
        ORSet<String> addSku7Again = laptop.add("laptop", "sku-7"); // concurrent with the removal: add wins

        ORSet<String> one = ORSet.<String>empty()
                .merge(addSku7)
                .merge(removeSku7)
                .merge(addSku9)
                .merge(addSku7Again);
        ORSet<String> other = ORSet.<String>empty()
                .merge(addSku7Again)
                .merge(removeSku7) // before the addition it removes: still removes it
                .merge(addSku9)
                .merge(addSku7)
                .merge(removeSku7); // a duplicate changes nothing
        return List.of(one.elements(), other.elements());
    }

    /** Concurrent writes of one key by two regions: every replica resolves them to the same value. */
    static List<String> address() {
        HybridLogicalClock eu = HybridLogicalClock.system();
        HybridLogicalClock us = HybridLogicalClock.system();
        VersionedValue<String> empty = VersionedValue.empty(ConflictResolver.lastWriterWins());
        Versioned<String> first = empty.write("eu", "Main St 1", eu.now());
        Versioned<String> move = empty.apply(first).write("us", "Harbour Rd 2", us.now()); // saw the first
        Versioned<String> typo = empty.apply(first).write("eu", "Main Street 1", eu.now()); // concurrent with it

        VersionedValue<String> inEurope = empty.apply(first).apply(typo).apply(move);
        VersionedValue<String> inAmerica = empty.apply(move).apply(typo).apply(first); // first: already superseded
        return List.of(inEurope.value().orElseThrow(), inAmerica.value().orElseThrow());
    }
}
