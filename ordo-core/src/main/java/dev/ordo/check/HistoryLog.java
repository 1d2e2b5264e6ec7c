package dev.ordo.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Reads and writes a {@link History} as JSON lines, the input of {@code ordo verify}.
 *
 * <p>One event per line, in the order it happened (only the order among sends and the order among
 * receipts matter), optionally with one {@code topic} line saying what the history is checked
 * against:
 * <pre>
 * {"type":"topic","partitions":8,"timestampAfterMaxMs":60000}
 * {"type":"sent","key":"ACC-1","source":"teller-0","sequence":0,"id":"teller-0-0"}
 * {"type":"received","key":"ACC-1","source":"teller-0","sequence":0,"id":"teller-0-0","partition":7,
 *  "timestamp":1767225600000,"at":1767225600250}
 * </pre>
 * (The receipt is wrapped here; in a file it is one line.)
 * <ul>
 *   <li>{@code type} is {@code sent}, {@code received} or {@code topic}; {@code key},
 *       {@code source} and {@code id} are strings (required on sends and receipts).</li>
 *   <li>{@code sequence}: the source's sequence number or partition offset.</li>
 *   <li>{@code partition}: the partition the message was written to (on a send) or read from (on
 *       a receipt).</li>
 *   <li>{@code timestamp}: the event time the message carries, milliseconds since the epoch.</li>
 *   <li>{@code at}: when the send or receipt happened, milliseconds since the epoch; the event
 *       time is checked against it.</li>
 *   <li>The {@code topic} line: {@code partitions}, the partition count under Kafka's default
 *       partitioner of the UTF-8 key ({@link PartitionLayout#kafkaDefault}; without it partitions
 *       are not checked); {@code timestampBeforeMaxMs} and {@code timestampAfterMaxMs}, how far an
 *       event time may lie before or after its reference ({@link TimestampBounds}; by default any
 *       age and one hour ahead, as Kafka's {@code message.timestamp.before/after.max.ms}).</li>
 * </ul>
 * Every number is optional; an absent or negative one means none. Blank lines are ignored. Files
 * written before the optional fields existed read as they always did.
 */
public final class HistoryLog {

    /** One receipt with every optional field, for help texts. */
    public static final String EXAMPLE_LINE =
            "{\"type\":\"received\",\"key\":\"ACC-1\",\"source\":\"teller-0\",\"sequence\":0,\"id\":\"teller-0-0\","
                    + "\"partition\":7,\"timestamp\":1767225600000,\"at\":1767225600250}";

    /** A topic line with every field, for help texts. */
    public static final String EXAMPLE_TOPIC_LINE =
            "{\"type\":\"topic\",\"partitions\":8,\"timestampBeforeMaxMs\":86400000,\"timestampAfterMaxMs\":60000}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryLog() {}

    /**
     * Writes the topic line (when the expectations are not the defaults), then every send, then
     * every receipt, of {@code history} to {@code file}.
     *
     * @throws IllegalArgumentException if the history's layout is not a
     *     {@link PartitionLayout#kafkaDefault} one, which a file cannot name
     */
    public static void write(History history, Path file) throws IOException {
        Expectations expectations = history.expectations();
        ObjectNode topic = topicLine(expectations);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            if (!expectations.equals(Expectations.defaults())) {
                out.write(JSON.writeValueAsString(topic));
                out.newLine();
            }
            writeAll(out, "sent", history.sent());
            writeAll(out, "received", history.received());
        }
    }

    /**
     * Reads a history written by {@link #write} or by any tool following the format.
     *
     * @throws IllegalArgumentException naming the line number and what is wrong with it
     */
    public static History read(Path file) throws IOException {
        History history = new History();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            int topicLine = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = object(line, number);
                String type = text(node, "type", number);
                switch (type) {
                    case "sent" -> history.sent(message(node, number));
                    case "received" -> history.received(message(node, number));
                    case "topic" -> {
                        if (topicLine > 0) {
                            throw new IllegalArgumentException(
                                    "line " + number + ": a second topic line (the first is line " + topicLine + ")");
                        }
                        topicLine = number;
                        history.expect(expectations(node, number));
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "line " + number + ": type must be sent, received or topic, was " + type);
                }
            }
        }
        return history;
    }

    private static JsonNode object(String line, int number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("line " + number + ": not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("line " + number + ": expected a JSON object, was " + line);
        }
        return node;
    }

    private static Message message(JsonNode node, int number) {
        long partition = number(node, "partition", number);
        if (partition > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "line " + number + ": partition must be <= " + Integer.MAX_VALUE + ", was " + partition);
        }
        return new Message(
                text(node, "key", number),
                text(node, "source", number),
                number(node, "sequence", number),
                text(node, "id", number),
                (int) partition,
                number(node, "timestamp", number),
                number(node, "at", number));
    }

    private static Expectations expectations(JsonNode node, int number) {
        Expectations expectations = Expectations.defaults();
        long partitions = number(node, "partitions", number);
        if (partitions >= 0) {
            if (partitions < 1 || partitions > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "line " + number + ": partitions must be in [1, " + Integer.MAX_VALUE + "], was " + partitions);
            }
            expectations = expectations.withLayout(PartitionLayout.kafkaDefault((int) partitions));
        }
        TimestampBounds bounds = expectations.timestampBounds();
        long before = number(node, "timestampBeforeMaxMs", number);
        if (before >= 0) {
            bounds = bounds.withMaxBefore(Duration.ofMillis(before));
        }
        long after = number(node, "timestampAfterMaxMs", number);
        if (after >= 0) {
            bounds = bounds.withMaxAfter(Duration.ofMillis(after));
        }
        return expectations.withTimestampBounds(bounds);
    }

    private static String text(JsonNode node, String field, int number) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || !value.isValueNode()) {
            throw new IllegalArgumentException("line " + number + ": field '" + field + "' is missing");
        }
        return value.asText();
    }

    /** The optional integer {@code field}, or -1 when it is absent. */
    private static long number(JsonNode node, String field, int number) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return -1;
        }
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException("line " + number + ": " + field + " must be an integer, was " + value);
        }
        return value.asLong();
    }

    private static ObjectNode topicLine(Expectations expectations) {
        ObjectNode node = JSON.createObjectNode().put("type", "topic");
        expectations.layout().ifPresent(layout -> {
            OptionalInt partitions = layout.kafkaDefaultPartitions();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException(
                        "layout must be PartitionLayout.kafkaDefault(count) to be written, was " + layout);
            }
            node.put("partitions", partitions.getAsInt());
        });
        TimestampBounds bounds = expectations.timestampBounds();
        TimestampBounds kafka = TimestampBounds.kafkaDefault();
        if (bounds.maxBeforeMillis() != kafka.maxBeforeMillis()) {
            node.put("timestampBeforeMaxMs", bounds.maxBeforeMillis());
        }
        if (bounds.maxAfterMillis() != kafka.maxAfterMillis()) {
            node.put("timestampAfterMaxMs", bounds.maxAfterMillis());
        }
        return node;
    }

    private static void writeAll(BufferedWriter out, String type, List<Message> messages) throws IOException {
        for (Message m : messages) {
            ObjectNode node = JSON.createObjectNode();
            node.put("type", type).put("key", m.key()).put("source", m.source());
            if (m.sequence() >= 0) {
                node.put("sequence", m.sequence());
            }
            node.put("id", m.id());
            if (m.partition() >= 0) {
                node.put("partition", m.partition());
            }
            if (m.timestamp() >= 0) {
                node.put("timestamp", m.timestamp());
            }
            if (m.at() >= 0) {
                node.put("at", m.at());
            }
            out.write(JSON.writeValueAsString(node));
            out.newLine();
        }
    }
}
