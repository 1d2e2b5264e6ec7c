package dev.ordo.examples;

import dev.ordo.engine.OnFailure;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.Retry;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * A record that keeps failing: by default its key is parked (its later records wait, other keys go on,
 * the commit stops before it) until an operator resumes or skips it; or, chosen explicitly, it is copied
 * to a dead-letter topic or skipped.
 */
public final class FailingRecordsExample {

    private FailingRecordsExample() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Ledger ledger = new Ledger();
        ledger.freeze("ACC-2");
        try (EmbeddedLog log = EmbeddedLog.open(Files.createTempDirectory("ordo-failing"))) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            sendSome(log);
            try (RecordConsumer consumer = start(log, ledger)) {
                consumer.awaitCaughtUp(Duration.ofSeconds(5)); // false: ACC-2 is parked
                ledger.unfreeze("ACC-2");
                review(consumer, ledger);
                consumer.awaitCaughtUp(Duration.ofSeconds(30));
            }
        }
        System.out.println(ledger.balances()); // {ACC-1=30, ACC-2=30, ACC-3=30}
    }

    /** Three transactions of 10 for each of ACC-1, ACC-2 and ACC-3. */
    static void sendSome(EmbeddedLog log) {
        try (OrdoProducer<String, Txn> producer = OrdoProducer.builder(
                        log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .build()) {
            for (int i = 0; i < 9; i++) {
                producer.send("ACC-" + (i % 3 + 1), new Txn(10));
            }
        }
    }

    /** The consumer with the default failure policy: a key whose record fails every attempt is parked. */
    static RecordConsumer start(EmbeddedLog log, Ledger ledger) {
        return OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .group("balances")
                .retry(Retry.exponential(3)) // then OnFailure.PARK_KEY, the default: the account stops
                .handler(record -> ledger.apply(record.key(), record.value()))
                .start();
    }

    /** What an operator (or an admin endpoint) does with the parked records. */
    static void review(RecordConsumer consumer, Ledger ledger) {
        for (ParkedRecord parked : consumer.parked()) {
            System.out.println(parked); // where, which key, the error, attempts, how many records wait behind it
            if (!ledger.isFrozen(parked.key())) {
                consumer.resume(parked); // tried again; the key's later records follow it
            } else {
                consumer.skip(parked, "operator: account closed, refunded by hand"); // its effect is lost
            }
        }
    }

    /** The other two policies, each an explicit choice to let the key go on without the record. */
    static RecordConsumer startWithDeadLetters(EmbeddedLog log, Ledger ledger, boolean orSkip) {
        OrdoConsumer.Builder<String, Txn> builder = OrdoConsumer.builder(
                        log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .group("balances")
                .retry(Retry.exponential(3))
                .handler(record -> ledger.apply(record.key(), record.value()));
        if (orSkip) {
            builder.onFailure(OnFailure.SKIP); // dropped: a WARN line and the skipped count say so
        } else {
            builder.deadLetter("ledger.dlq", true); // copied with the error in its headers; true: create the topic
        }
        return builder.start();
    }
}
