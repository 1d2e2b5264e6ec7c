package dev.ordo.examples;

import dev.ordo.audit.AuditCheckpoint;
import dev.ordo.audit.AuditTrail;
import dev.ordo.audit.AuditVerification;
import dev.ordo.audit.AuditVerifier;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordHandler;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code docs/audit.md}'s example: a consumer group whose handler is audited, a checkpoint to publish,
 * and the verifier's verdict on the file. Run it with a directory as the argument (a temporary one without).
 */
public final class AuditExample {

    private AuditExample() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ordo-audit");
        System.out.println(audited(dir).summary()); // OK: 3 entries, head ...
    }

    /** Runs the example in {@code dir} and returns the verdict on the audit file it wrote. */
    static AuditVerification audited(Path dir) throws IOException, InterruptedException {
        Map<String, Long> balances = new ConcurrentHashMap<>();
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            try (OrdoProducer<String, Txn> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                    .build()) {
                producer.send("ACC-1", new Txn(1000));
                producer.send("ACC-1", new Txn(-300));
                producer.send("ACC-2", new Txn(50));
            }
            Path auditFile = dir.resolve("balances.audit");
            RecordHandler<String, Txn> apply =
                    record -> balances.merge(record.key(), record.value().amount(), Long::sum);
            try (AuditTrail trail = AuditTrail.open(auditFile)) { // created, or its chain continued
                try (RecordConsumer consumer = OrdoConsumer.builder(
                                log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                        .group("balances")
                        .handler(trail.audit(apply)) // one entry per handling, after the handler
                        .start()) {
                    consumer.awaitCaughtUp(Duration.ofSeconds(30));
                } // close the consumer first: every handling then has its entry
                AuditCheckpoint checkpoint = trail.checkpoint(); // forced; publish "3 <head>" elsewhere
                System.out.println("publish: " + checkpoint);
            }
            return AuditVerifier.verify(auditFile); // OK, or the first broken link
        }
    }
}
