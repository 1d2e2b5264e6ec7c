package dev.ordo.cli.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ordo produce TOPIC}: append records read from standard input, like kafka-console-producer.sh. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Appends one record per line of standard input to a topic.",
            "A line is 'key<TAB>value', a JSON object {\"key\":...,\"value\":...}, or a bare value (no key).",
            "Exit code 2 names the first bad line; lines before it are appended."
        })
public final class ProduceCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    private static final int ACK_WINDOW = 10_000;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--print-acks", description = "Print partition and offset of every acknowledged record.")
    boolean printAcks;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long count = 0;
        try (EmbeddedLog log = EmbeddedLog.open(data.existing());
                OrdoProducer<byte[], byte[]> producer =
                        OrdoProducer.builder(log, topic).build()) {
            // Acknowledgements are printed in input order; a bounded window of them is outstanding.
            ArrayDeque<CompletableFuture<Acknowledgement>> unprinted = new ArrayDeque<>();
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] kv = parse(line, number);
                unprinted.addLast(producer.send(bytes(kv[0]), bytes(kv[1])));
                count++;
                while (unprinted.size() > ACK_WINDOW
                        || (!unprinted.isEmpty() && unprinted.peekFirst().isDone())) {
                    print(out, unprinted.pollFirst().join());
                }
            }
            while (!unprinted.isEmpty()) {
                print(out, unprinted.pollFirst().join());
            }
        }
        spec.commandLine().getErr().println("appended " + count + " records to " + topic);
        return 0;
    }

    private void print(PrintWriter out, Acknowledgement ack) {
        if (printAcks) {
            out.println(ack.topic() + "\t" + ack.partition() + "\t" + ack.offset());
        }
    }

    private static String[] parse(String line, int number) {
        if (line.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(line);
                return new String[] {text(node.get("key")), text(node.get("value"))};
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "line " + number + " starts with '{' but is not a JSON object: " + line);
            }
        }
        int tab = line.indexOf('\t');
        return tab < 0 ? new String[] {null, line} : new String[] {line.substring(0, tab), line.substring(tab + 1)};
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
