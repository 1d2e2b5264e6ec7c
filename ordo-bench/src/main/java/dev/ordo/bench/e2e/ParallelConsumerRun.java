package dev.ordo.bench.e2e;

import dev.ordo.bench.e2e.KafkaKeyOrderBenchmark.Figure;
import dev.ordo.bench.e2e.KafkaKeyOrderBenchmark.Meter;
import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Parallel Consumer baseline of {@link KafkaKeyOrderBenchmark}, in a JVM of its own: its last
 * release (0.5.3.3) uses Kafka client classes that 4.4 moved ({@code CloseableIterator},
 * {@code ByteBufferInputStream}), so it runs on the newest clients it still works with
 * ({@code parallel-consumer.kafka.version}, copied to {@code target/parallel-consumer/kafka-clients.jar}
 * by the build), put ahead of the benchmark's own classpath, against the same 4.4 broker.
 */
final class ParallelConsumerRun {

    private static final String RESULT = "parallel-consumer-result ";

    private ParallelConsumerRun() {}

    /** Runs the Parallel Consumer case in a child JVM and returns what it measured. */
    static Figure inChildJvm(
            String bootstrap, String topic, String group, int handlerMillis, int concurrency, long records)
            throws Exception {
        Path clients = clientsJar();
        if (!Files.isRegularFile(clients)) {
            throw new IllegalStateException("the Parallel Consumer's Kafka clients are not at " + clients
                    + "; build ordo-bench with 'package' (it copies them there)");
        }
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        clients + System.getProperty("path.separator") + System.getProperty("java.class.path"),
                        ParallelConsumerRun.class.getName(),
                        bootstrap,
                        topic,
                        group,
                        String.valueOf(handlerMillis),
                        String.valueOf(concurrency),
                        String.valueOf(records))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        child.getOutputStream().close();
        String result = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length());
                }
            }
        }
        if (!child.waitFor(1, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        if (result == null) {
            throw new IllegalStateException("the Parallel Consumer run ended (exit code " + child.exitValue()
                    + ") without a result; its errors are above");
        }
        String[] f = result.split(" ");
        return new Figure(
                f[0].replace('_', ' '),
                handlerMillis,
                concurrency,
                records,
                Double.parseDouble(f[1]),
                Long.parseLong(f[2]));
    }

    /** {@code target/parallel-consumer/kafka-clients.jar} beside the benchmark jar (or classes). */
    private static Path clientsJar() throws URISyntaxException {
        Path location = Path.of(ParallelConsumerRun.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        return location.getParent().resolve("parallel-consumer").resolve("kafka-clients.jar");
    }

    /** Arguments: bootstrap, topic, group, handler milliseconds, concurrency, records. */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        int handlerMillis = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        long records = Long.parseLong(args[5]);
        Meter meter = new Meter(records, handlerMillis);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        KafkaConsumer<String, String> kafka =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        ParallelStreamProcessor<String, String> pc =
                ParallelStreamProcessor.createEosStreamProcessor(ParallelConsumerOptions.<String, String>builder()
                        .consumer(kafka)
                        .ordering(ParallelConsumerOptions.ProcessingOrder.KEY)
                        .maxConcurrency(concurrency)
                        .commitMode(ParallelConsumerOptions.CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                        .build());
        pc.subscribe(List.of(topic));
        pc.poll(ctx -> meter.handle(ctx.key(), ctx.value()));
        Figure figure;
        try {
            figure = meter.figure("Confluent Parallel Consumer 0.5.3.3 (KEY)", concurrency);
        } finally {
            pc.close();
        }
        System.out.printf(
                Locale.ROOT,
                "%s%s %f %d%n",
                RESULT,
                figure.system().replace(' ', '_'),
                figure.recordsPerSecond(),
                figure.violations());
        System.exit(0);
    }
}
