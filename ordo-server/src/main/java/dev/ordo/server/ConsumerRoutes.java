package dev.ordo.server;

import com.sun.net.httpserver.HttpExchange;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The attached consumers' part of the API, on either engine:
 *
 * <pre>
 * GET  /api/consumers                        every consumer: stats, lag, keys in flight, stuck keys
 * GET  /api/consumers/{name}/keys[?limit=n]  keys in flight, the longest in progress first
 * GET  /api/consumers/{name}/parked          records whose key is parked
 * GET  /api/consumers/{name}/explain?key=k   where the key's records are and what holds them
 * GET  /api/consumers/{name}/explain?partition=p&amp;offset=o   where that record is and what holds it
 * POST /api/consumers/{name}/resume          {"partition": p, "offset": o}: try the parked record again
 * POST /api/consumers/{name}/skip            {"partition": p, "offset": o, "reason": "..."}: give it up
 * </pre>
 */
final class ConsumerRoutes {

    private static final int DEFAULT_KEYS_SHOWN = 100;
    private static final int MAX_KEYS_SHOWN = 10_000;

    /** The body of a resume: which parked record. */
    record ResumeRequest(int partition, long offset) {}

    /** The body of a skip: which parked record, and why it is given up (required, logged and counted). */
    record SkipRequest(int partition, long offset, String reason) {}

    private final Map<String, RecordConsumer> consumers;
    private final Exchanges exchanges;
    private final Duration stuckAfter;
    /** Where the consumers' latency timers are, if they share the server's registry; may be null. */
    private final MeterRegistry registry;

    ConsumerRoutes(
            Map<String, RecordConsumer> consumers, Exchanges exchanges, Duration stuckAfter, MeterRegistry registry) {
        this.consumers = consumers;
        this.exchanges = exchanges;
        this.stuckAfter = stuckAfter;
        this.registry = registry;
    }

    /** Answers {@code path} (below {@code /api/consumers}); false if it is not one of this part's. */
    boolean handle(HttpExchange exchange, String method, List<String> path) throws IOException {
        if (path.isEmpty()) {
            requireMethod(method, "GET");
            exchanges.sendJson(
                    exchange,
                    200,
                    consumers.entrySet().stream()
                            .map(e -> Views.consumer(e.getKey(), e.getValue(), stuckAfter, registry))
                            .toList());
            return true;
        }
        if (path.size() != 2) {
            return false;
        }
        RecordConsumer consumer = consumer(path.get(0));
        switch (path.get(1)) {
            case "keys" -> {
                requireMethod(method, "GET");
                int limit = limit(Exchanges.query(exchange).get("limit"));
                exchanges.sendJson(
                        exchange,
                        200,
                        consumer.keysInFlight().stream()
                                .limit(limit)
                                .map(k -> Views.key(k, stuckAfter))
                                .toList());
            }
            case "parked" -> {
                requireMethod(method, "GET");
                exchanges.sendJson(
                        exchange,
                        200,
                        consumer.parked().stream().map(Views::parked).toList());
            }
            case "explain" -> {
                requireMethod(method, "GET");
                exchanges.sendJson(
                        exchange, 200, Views.explain(explain(consumer, Exchanges.query(exchange)), stuckAfter));
            }
            case "resume" -> {
                requireMethod(method, "POST");
                exchanges.requireToken(exchange);
                ResumeRequest request = exchanges.body(exchange, ResumeRequest.class);
                ParkedRecord parked = parkedAt(consumer, request.partition(), request.offset());
                exchanges.sendJson(exchange, 200, Map.of("resumed", consumer.resume(parked)));
            }
            case "skip" -> {
                requireMethod(method, "POST");
                exchanges.requireToken(exchange);
                SkipRequest request = exchanges.body(exchange, SkipRequest.class);
                if (request.reason() == null || request.reason().isBlank()) {
                    throw ApiException.badRequest("skip needs a reason (it is logged and counted), was "
                            + (request.reason() == null ? "missing" : "blank"));
                }
                ParkedRecord parked = parkedAt(consumer, request.partition(), request.offset());
                exchanges.sendJson(exchange, 200, Map.of("skipped", consumer.skip(parked, request.reason())));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private RecordConsumer consumer(String name) {
        RecordConsumer consumer = consumers.get(name);
        if (consumer == null) {
            throw ApiException.notFound("no consumer named " + name + "; attached: " + consumers.keySet());
        }
        return consumer;
    }

    /** A key's explanation ({@code key}), or a record's ({@code partition} and {@code offset}); 400 otherwise. */
    private static Explanation explain(RecordConsumer consumer, Map<String, String> query) {
        String key = query.get("key");
        String partition = query.get("partition");
        String offset = query.get("offset");
        if (key != null) {
            if (partition != null || offset != null) {
                throw ApiException.badRequest("explain takes either key or partition and offset, not both");
            }
            return consumer.explain(key);
        }
        if (partition == null && offset == null) {
            throw ApiException.badRequest("explain needs the query parameter key, or partition and offset");
        }
        if (partition == null || offset == null) {
            throw ApiException.badRequest("explain of a record needs both partition and offset, was "
                    + (partition == null ? "offset " + offset + " alone" : "partition " + partition + " alone"));
        }
        long p = number("partition", partition);
        long o = number("offset", offset);
        if (p > Integer.MAX_VALUE) {
            throw ApiException.badRequest("partition must be <= " + Integer.MAX_VALUE + ", was " + partition);
        }
        try {
            return consumer.explain((int) p, o);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static long number(String field, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field + " must be a whole number, was " + value);
        }
    }

    private static ParkedRecord parkedAt(RecordConsumer consumer, int partition, long offset) {
        Optional<ParkedRecord> parked = consumer.parked().stream()
                .filter(p -> p.partition() == partition && p.offset() == offset)
                .findFirst();
        return parked.orElseThrow(() -> new ApiException(
                409, "no record is parked at partition " + partition + " offset " + offset + " (any more)"));
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_KEYS_SHOWN;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_KEYS_SHOWN) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw ApiException.badRequest("limit must be in [1, " + MAX_KEYS_SHOWN + "], was " + value);
    }

    static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "this path takes " + expected + ", was " + method);
        }
    }
}
