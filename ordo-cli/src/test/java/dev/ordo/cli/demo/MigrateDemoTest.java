package dev.ordo.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.OrdoCommand;
import dev.ordo.kafka.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** {@code ordo demo migrate}: the ledger stays right while its topic moves to Kafka and is re-partitioned 8 -> 3. */
class MigrateDemoTest {

    @Test
    void everyBalanceMatchesAfterBothMovesAndTheRunsTopicsAreDeleted() throws Exception {
        try (EmbeddedKafka cluster = EmbeddedKafka.start()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = OrdoCommand.commandLine()
                    .setOut(new PrintWriter(out))
                    .setErr(new PrintWriter(err))
                    .execute(
                            "demo",
                            "migrate",
                            "--operations",
                            "12000",
                            "--accounts",
                            "200",
                            "--threads",
                            "4",
                            "--bootstrap",
                            cluster.bootstrapServers());

            assertThat(exit).as(out + "\n" + err).isZero();
            assertThat(err.toString())
                    .contains("moved to Kafka topic ordo-demo-migrate-")
                    .contains("re-partitioned 8 -> 3 into ordo-demo-migrate-");
            assertThat(out.toString())
                    .contains("then Kafka re-partitioned 8 -> 3")
                    .contains("balances verified: 200 of 200 accounts match")
                    .contains("RESULT: PASS");
            Properties props = new Properties();
            props.put("bootstrap.servers", cluster.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                Set<String> topics = admin.listTopics().names().get();
                assertThat(topics).as("the run's topics are gone").noneMatch(t -> t.startsWith("ordo-demo-migrate-"));
            }
        }
    }

    @Test
    void aBackendIsRefusedInOneLine() {
        StringWriter err = new StringWriter();
        int exit = OrdoCommand.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err))
                .execute("demo", "migrate", "--backend", "kafka");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "ordo demo migrate: --backend is not an option here (the demo moves between engines itself), was kafka");
    }
}
