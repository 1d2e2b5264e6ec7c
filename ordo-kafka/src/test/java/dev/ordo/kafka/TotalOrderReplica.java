package dev.ordo.kafka;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.OrderRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One consumer process of {@link KafkaTotalOrderTest}, run in a child JVM: consumes a topic in a group of
 * its own, recording the order it handles the records in ({@link OrderRecorder}). Starts consuming on
 * {@code BEGIN} (its handler held until {@code RELEASE} on {@code BEGIN HELD}) and says {@code READY} once
 * its partitions are its own; on {@code AWAIT n} waits (up to 40 s) until it has handled n records and says
 * {@code HANDLED count}; closes when its standard input ends.
 *
 * <p>Arguments: bootstrap servers, topic, group, ordering, concurrency (ignored for {@code TOTAL}), order file.
 */
public final class TotalOrderReplica {

    private TotalOrderReplica() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String begin = in.readLine();
        if (begin == null || !begin.startsWith("BEGIN")) {
            return; // closed before it began
        }
        Ordering ordering = Ordering.valueOf(args[3]);
        try (OrderRecorder order = new OrderRecorder(Path.of(args[5]), begin.equals("BEGIN HELD"))) {
            KafkaOrdoConsumer.Builder<String, String> builder = KafkaOrdoConsumer.builder(
                            args[0], args[1], Serdes.string(), Serdes.string())
                    .group(args[2])
                    .ordering(ordering)
                    .handler(order);
            if (ordering != Ordering.TOTAL) {
                builder.concurrency(Integer.parseInt(args[4]));
            }
            try (RecordConsumer consumer = builder.start()) {
                if (!consumer.awaitCaughtUp(Duration.ofSeconds(40))) {
                    System.err.println("not caught up within 40 s: " + consumer.failure());
                    return;
                }
                System.out.println("READY");
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("RELEASE")) {
                        order.release();
                    } else if (line.startsWith("AWAIT ")) {
                        int handled = order.await(Integer.parseInt(line.substring(6)), Duration.ofSeconds(40));
                        consumer.failure().ifPresent(e -> e.printStackTrace(System.err));
                        System.out.println("HANDLED " + handled);
                    }
                }
                order.release(); // a handler waiting to be released would hold up the close
            }
        }
    }
}
