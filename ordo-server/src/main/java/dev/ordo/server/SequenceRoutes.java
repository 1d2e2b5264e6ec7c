package dev.ordo.server;

import com.sun.net.httpserver.HttpExchange;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.sequence.CriticalAlert;
import dev.ordo.sequence.Gap;
import dev.ordo.sequence.Resequencer;
import dev.ordo.sequence.ResequencerStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The attached resequencers' gaps and halted sources, with the operator's two decisions, and the attached
 * ordering monitors' violation counts:
 *
 * <pre>
 * GET  /api/resequencers                  each: stats, open gaps (longest waiting first), halted sources
 * GET  /api/resequencers/{name}/explain?source=s   what the source waits for, and what resume / skip would do
 * POST /api/resequencers/{name}/resume    {"source": s}: keep waiting for a halted source's missing messages
 * POST /api/resequencers/{name}/skip      {"source": s, "through": n, "reason": "..."}: give them up
 * GET  /api/violations                    per monitor, the count of each violation kind
 * </pre>
 *
 * Sources are named by their text ({@code toString}), matched against the sources with a gap or a halt now.
 */
final class SequenceRoutes {

    record GapView(String source, long from, long to, long ageMillis, int heldBehind) {}

    record HaltView(String source, long nextExpected, long waitedMillis, int heldBehind, String description) {}

    record ResequencerView(String name, ResequencerStats stats, List<GapView> gaps, List<HaltView> halted) {}

    record ResumeSource(String source) {}

    record SkipSource(String source, long through, String reason) {}

    private final Map<String, Resequencer<?, ?>> resequencers;
    private final Map<String, OrderingMonitor<?>> monitors;
    private final Exchanges exchanges;

    SequenceRoutes(
            Map<String, Resequencer<?, ?>> resequencers,
            Map<String, OrderingMonitor<?>> monitors,
            Exchanges exchanges) {
        this.resequencers = resequencers;
        this.monitors = monitors;
        this.exchanges = exchanges;
    }

    void list(HttpExchange exchange) throws IOException {
        List<ResequencerView> views = new ArrayList<>();
        resequencers.forEach((name, r) -> views.add(view(name, r)));
        exchanges.sendJson(exchange, 200, views);
    }

    void violations(HttpExchange exchange) throws IOException {
        Map<String, Map<OrderingMonitor.Violation, Long>> counts = new java.util.TreeMap<>();
        monitors.forEach((name, monitor) -> {
            Map<OrderingMonitor.Violation, Long> byKind = new EnumMap<>(OrderingMonitor.Violation.class);
            for (OrderingMonitor.Violation kind : OrderingMonitor.Violation.values()) {
                byKind.put(kind, monitor.count(kind));
            }
            counts.put(name, byKind);
        });
        exchanges.sendJson(exchange, 200, counts);
    }

    /**
     * {@code GET /api/resequencers/{name}/explain} or {@code POST /api/resequencers/{name}/{action}}; false if
     * {@code action} is not one.
     */
    boolean act(HttpExchange exchange, String name, String action) throws IOException {
        if (action.equals("explain")) {
            ConsumerRoutes.requireMethod(exchange.getRequestMethod(), "GET");
            Resequencer<?, ?> resequencer = resequencer(name);
            String source = Exchanges.query(exchange).get("source");
            if (source == null || source.isEmpty()) {
                throw ApiException.badRequest(
                        "explain needs the query parameter source, was " + (source == null ? "missing" : "empty"));
            }
            exchanges.sendJson(exchange, 200, SourceExplainer.explain(name, resequencer, source));
            return true;
        }
        if (!action.equals("resume") && !action.equals("skip")) {
            return false;
        }
        ConsumerRoutes.requireMethod(exchange.getRequestMethod(), "POST");
        exchanges.requireToken(exchange);
        Resequencer<?, ?> resequencer = resequencer(name);
        if (action.equals("resume")) {
            ResumeSource request = exchanges.body(exchange, ResumeSource.class);
            exchanges.sendJson(exchange, 200, Map.of("resumed", resume(resequencer, request.source())));
        } else {
            SkipSource request = exchanges.body(exchange, SkipSource.class);
            if (request.reason() == null || request.reason().isBlank()) {
                throw ApiException.badRequest("skip needs a reason (it is recorded), was "
                        + (request.reason() == null ? "missing" : "blank"));
            }
            int skipped = skip(resequencer, request.source(), request.through(), request.reason());
            exchanges.sendJson(exchange, 200, Map.of("gapsSkipped", skipped));
        }
        return true;
    }

    private Resequencer<?, ?> resequencer(String name) {
        Resequencer<?, ?> resequencer = resequencers.get(name);
        if (resequencer == null) {
            throw ApiException.notFound("no resequencer named " + name + "; attached: " + resequencers.keySet());
        }
        return resequencer;
    }

    private static <S> boolean resume(Resequencer<S, ?> resequencer, String source) {
        return resequencer.resume(source(resequencer, source));
    }

    private static <S> int skip(Resequencer<S, ?> resequencer, String source, long through, String reason) {
        try {
            return resequencer
                    .skip(source(resequencer, source), through, reason)
                    .size();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The source named {@code text} among those with a gap or a halt now. */
    private static <S> S source(Resequencer<S, ?> resequencer, String text) {
        if (text == null) {
            throw ApiException.badRequest("the request needs a source");
        }
        Optional<S> match = Stream.concat(
                        resequencer.halted().stream().map(CriticalAlert::source),
                        resequencer.gaps().stream().map(Gap::source))
                .filter(s -> s.toString().equals(text))
                .findFirst();
        return match.orElseThrow(() -> new ApiException(409, "source " + text + " has no gap and no halt now"));
    }

    static GapView gapView(Gap<?> g) {
        return new GapView(String.valueOf(g.source()), g.from(), g.to(), g.age().toMillis(), g.heldBehind());
    }

    private static ResequencerView view(String name, Resequencer<?, ?> r) {
        List<GapView> gaps = r.gaps().stream().map(SequenceRoutes::gapView).toList();
        List<HaltView> halted = r.halted().stream()
                .map(a -> new HaltView(
                        String.valueOf(a.source()),
                        a.nextExpected(),
                        a.waited().toMillis(),
                        a.heldBehind(),
                        a.describe()))
                .toList();
        return new ResequencerView(name, r.stats(), gaps, halted);
    }
}
