package dev.ordo.log.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.audit.AuditEntry;
import dev.ordo.audit.AuditOutcome;
import dev.ordo.audit.AuditTrail;
import dev.ordo.audit.AuditVerification;
import dev.ordo.audit.AuditVerifier;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.Retry;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedded-engine consumer whose handler is audited: the file proves what was handled, in which order per key. */
class AuditedConsumerTest {

    private static final int RECORDS = 4_000;
    private static final int KEYS = 40;

    @TempDir
    Path data;

    @TempDir
    Path audit;

    @Test
    void theAuditFileOfAKeyOrderedConsumerVerifiesAndHoldsEachKeyInOffsetOrder() throws Exception {
        Path file = audit.resolve("balances.audit");
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try (EmbeddedLog log = EmbeddedLog.open(data);
                AuditTrail trail = AuditTrail.open(file)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            for (int i = 0; i < RECORDS; i++) {
                log.append(
                        "ledger",
                        ("ACC-" + (i % KEYS)).getBytes(StandardCharsets.UTF_8),
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            }
            try (OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("balances")
                    .ordering(Ordering.KEY)
                    .concurrency(8)
                    .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1)))
                    .handler(trail.audit(r -> {
                        if (Integer.parseInt(r.value()) % 97 == 0 && failedOnce.add(r.value())) {
                            throw new IllegalStateException("first attempt of " + r.value());
                        }
                    }))
                    .start()) {
                assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(40))).isTrue();
            }
        }

        List<AuditEntry> entries = new ArrayList<>();
        AuditVerification verdict = AuditVerifier.verify(file, List.of(), entries::add);

        assertThat(verdict).isInstanceOf(AuditVerification.Intact.class);
        assertThat(entries).hasSize(RECORDS + failedOnce.size());
        Map<String, AuditEntry> lastOfKey = new HashMap<>();
        Set<String> handled = new HashSet<>();
        for (AuditEntry e : entries) {
            AuditEntry previous = lastOfKey.put(e.keyText(), e);
            if (previous != null) {
                assertThat(e.predecessor()).isEqualTo(previous.index());
                assertThat(e.partition()).isEqualTo(previous.partition());
                if (previous.outcome() == AuditOutcome.FAILED) { // its retry comes next, before anything later
                    assertThat(e.offset()).isEqualTo(previous.offset());
                } else {
                    assertThat(e.offset())
                            .as("key %s after %s", e.keyText(), previous)
                            .isGreaterThan(previous.offset());
                }
            } else {
                assertThat(e.predecessor()).isEqualTo(AuditEntry.NO_PREDECESSOR);
            }
            if (e.outcome() == AuditOutcome.HANDLED) {
                assertThat(handled.add(e.partition() + "@" + e.offset())).isTrue();
            } else {
                assertThat(e.detail()).isEqualTo(IllegalStateException.class.getName());
            }
        }
        assertThat(handled).hasSize(RECORDS);
        assertThat(lastOfKey).hasSize(KEYS);
    }
}
