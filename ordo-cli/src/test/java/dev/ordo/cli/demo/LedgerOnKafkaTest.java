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
import picocli.CommandLine;

/** {@code ordo demo ledger --backend kafka}: on a given cluster and on a broker it starts itself. */
class LedgerOnKafkaTest {

    private static final String[] SMALL = {"--operations", "20000", "--accounts", "200", "--threads", "4"};

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private static String[] ledger(String... args) {
        String[] all = new String[2 + SMALL.length + args.length];
        all[0] = "demo";
        all[1] = "ledger";
        System.arraycopy(SMALL, 0, all, 2, SMALL.length);
        System.arraycopy(args, 0, all, 2 + SMALL.length, args.length);
        return all;
    }

    @Test
    void onAGivenClusterEveryBalanceMatchesAndTheRunsTopicIsDeletedAfterwards() throws Exception {
        try (EmbeddedKafka cluster = EmbeddedKafka.start()) {
            StringWriter out = new StringWriter();
            int exit = run(
                    out, new StringWriter(), ledger("--backend", "kafka", "--bootstrap", cluster.bootstrapServers()));

            assertThat(exit).as(out.toString()).isZero();
            assertThat(out.toString())
                    .contains("through Apache Kafka")
                    .contains("balances verified: 200 of 200 accounts match")
                    .contains("RESULT: PASS");
            Properties props = new Properties();
            props.put("bootstrap.servers", cluster.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                Set<String> topics = admin.listTopics().names().get();
                assertThat(topics).as("the run's topic is gone").noneMatch(t -> t.startsWith("ordo-demo-ledger-"));
            }
        }
    }

    @Test
    void withoutABootstrapAddressItStartsABrokerInAChildJvm() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = run(out, err, ledger("--backend", "kafka"));

        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(err.toString()).contains("starting a Kafka broker in a child JVM");
        assertThat(out.toString()).contains("through Apache Kafka").contains("RESULT: PASS");
    }

    @Test
    void optionsThatDoNotGoWithKafkaAreRefusedWithTheReason() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, ledger("--bootstrap", "localhost:9092")))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--bootstrap needs --backend kafka");

        StringWriter crashErr = new StringWriter();
        assertThat(run(new StringWriter(), crashErr, ledger("--backend", "kafka", "--crash")))
                .isEqualTo(2);
        assertThat(crashErr.toString()).contains("--backend kafka cannot be combined with --crash");
    }
}
