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
import java.util.List;

/**
 * Reads and writes a {@link History} as JSON lines, the input of {@code ordo verify}.
 *
 * <p>One event per line, in the order it happened (only the order among sends and the order among
 * receipts matter):
 * <pre>
 * {"type":"sent","key":"ACC-1","source":"teller-0","sequence":0,"id":"teller-0-0"}
 * {"type":"received","key":"ACC-1","source":"teller-0","sequence":0,"id":"teller-0-0"}
 * </pre>
 * {@code type} is {@code sent} or {@code received}; {@code key}, {@code source} and {@code id}
 * are strings; {@code sequence} is the source's sequence number or partition offset, omitted or
 * negative when there is none. Blank lines are ignored.
 */
public final class HistoryLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryLog() {}

    /** Writes every send, then every receipt, of {@code history} to {@code file}. */
    public static void write(History history, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
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
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    parse(history, line, number);
                }
            }
        }
        return history;
    }

    private static void parse(History history, String line, int number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("line " + number + ": not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("line " + number + ": expected a JSON object, was " + line);
        }
        String type = text(node, "type", number);
        Message message = new Message(
                text(node, "key", number),
                text(node, "source", number),
                node.hasNonNull("sequence") ? sequence(node, number) : -1,
                text(node, "id", number));
        switch (type) {
            case "sent" -> history.sent(message);
            case "received" -> history.received(message);
            default ->
                throw new IllegalArgumentException("line " + number + ": type must be sent or received, was " + type);
        }
    }

    private static String text(JsonNode node, String field, int number) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || !value.isValueNode()) {
            throw new IllegalArgumentException("line " + number + ": field '" + field + "' is missing");
        }
        return value.asText();
    }

    private static long sequence(JsonNode node, int number) {
        JsonNode value = node.get("sequence");
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException("line " + number + ": sequence must be an integer, was " + value);
        }
        return value.asLong();
    }

    private static void writeAll(BufferedWriter out, String type, List<Message> messages) throws IOException {
        for (Message m : messages) {
            ObjectNode node = JSON.createObjectNode();
            node.put("type", type).put("key", m.key()).put("source", m.source());
            if (m.sequence() >= 0) {
                node.put("sequence", m.sequence());
            }
            node.put("id", m.id());
            out.write(JSON.writeValueAsString(node));
            out.newLine();
        }
    }
}
