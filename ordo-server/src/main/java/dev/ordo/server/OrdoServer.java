package dev.ordo.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ordo.Arguments;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.sequence.Resequencer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's window into running consumers: a JSON API, a dashboard and Prometheus {@code /metrics} on one
 * port, served by the JDK's own HTTP server. It shows each attached consumer's keys in flight and its
 * <em>stuck keys</em> (in progress longer than {@code stuckAfter}, or parked), parked records with
 * resume / skip, and why a key is held ({@code explain}); with an embedded log, its topics and groups.
 *
 * <pre>{@code
 * try (OrdoServer server = OrdoServer.builder()
 *         .attach("balances", consumer)           // any engine's RecordConsumer
 *         .catalog(log)                           // optional: the embedded engine's topics and groups
 *         .start()) {
 *     System.out.println("dashboard: " + server.dashboardUrl());   // carries the token in its #fragment
 * }
 * }</pre>
 *
 * <p>Safe by default: it binds to 127.0.0.1; every mutating call needs the server's token in the
 * {@code X-Ordo-Token} header (generated unless given; never a cookie, so no cross-site request can carry it);
 * bodies are limited in size (413) and parsed as strict JSON (400 naming what is wrong); nothing is
 * deserialized but plain JSON records. Reads need no token: they show keys and errors, so bind to another
 * interface only behind a network you trust.
 */
public final class OrdoServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OrdoServer.class);
    private static final List<String> ASSETS = List.of("index.html", "app.js", "app.css");

    private final HttpServer http;
    private final ExecutorService threads;
    private final String token;
    private final Exchanges exchanges;
    /** The consumers shown, by name; attached and detached while serving. */
    private final ConcurrentSkipListMap<String, RecordConsumer> attached;

    private final ConsumerRoutes consumers;
    private final SequenceRoutes sequences;
    private final Redrives redrives;
    /** Null without a catalog. */
    private final Catalog catalog;

    private final PrometheusMeterRegistry registry;
    private final Duration stuckAfter;

    private OrdoServer(Builder b, HttpServer http) {
        this.http = http;
        this.token = b.token;
        this.stuckAfter = b.stuckAfter;
        this.exchanges = new Exchanges(b.token, b.maxBodyBytes);
        this.attached = new ConcurrentSkipListMap<>(b.consumers);
        this.consumers = new ConsumerRoutes(attached, exchanges, b.stuckAfter, b.registry);
        this.sequences = new SequenceRoutes(Map.copyOf(b.resequencers), Map.copyOf(b.monitors), exchanges);
        this.catalog = b.log != null
                ? new EmbeddedCatalog(b.log)
                : b.bootstrapServers != null ? new KafkaCatalog(b.bootstrapServers) : null;
        this.registry = b.registry;
        this.redrives = new Redrives(redriveEngine(b));
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ordo-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::serve);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Shows {@code consumer} under {@code name} from now on (a consumer started after the server).
     *
     * @throws IllegalArgumentException if the name is malformed or taken
     */
    public void attach(String name, RecordConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer must not be null");
        if (attached.putIfAbsent(Builder.checkName(name), consumer) != null) {
            throw new IllegalArgumentException("a consumer named " + name + " is attached already");
        }
    }

    /** Stops showing the consumer named {@code name} (closing it is the caller's); false if none was. */
    public boolean detach(String name) {
        return attached.remove(name) != null;
    }

    /** The port bound (the one asked for, or the one picked for port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The token mutating calls need in the {@code X-Ordo-Token} header. */
    public String token() {
        return token;
    }

    /** The API's base, {@code http://host:port}. */
    public String url() {
        InetSocketAddress address = http.getAddress();
        String host = address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The dashboard's address with the token in its fragment, which the browser keeps and never sends. */
    public String dashboardUrl() {
        return url() + "/#token=" + token;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            try {
                requireLocalHost(exchange);
                long declared = declaredLength(exchange);
                if (declared > 0 && method.equals("GET")) {
                    throw ApiException.badRequest("a GET takes no body");
                }
                route(exchange, method, path);
            } catch (ApiException e) {
                exchanges.sendError(exchange, e.status(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", method, path, e);
                exchanges.sendError(exchange, 500, "internal error: " + e);
            }
        }
    }

    /**
     * Refuses (403) a request whose {@code Host} is not this server's address or a loopback name, unless the
     * server listens on every interface: a web page whose name was rebound to 127.0.0.1 (DNS rebinding)
     * would otherwise read the API from the operator's browser.
     */
    private void requireLocalHost(HttpExchange exchange) {
        InetAddress bound = http.getAddress().getAddress();
        if (bound.isAnyLocalAddress()) {
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        String name = host == null ? "" : host.replaceFirst(":\\d+$", "");
        boolean local = name.equals("localhost")
                || name.equals("127.0.0.1")
                || name.equals("[::1]")
                || name.equals(bound.getHostAddress())
                || name.equals("[" + bound.getHostAddress() + "]");
        if (!local) {
            throw new ApiException(
                    403, "Host must name this server (" + bound.getHostAddress() + " or localhost), was " + host);
        }
    }

    private long declaredLength(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            long declared = Long.parseLong(length.trim());
            if (declared > exchanges.maxBodyBytes()) {
                throw new ApiException(413, "request body over " + exchanges.maxBodyBytes() + " bytes");
            }
            return declared;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Content-Length must be a number, was " + length);
        }
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException {
        if (path.equals("/metrics") && registry != null) {
            ConsumerRoutes.requireMethod(method, "GET");
            Exchanges.send(
                    exchange,
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (path.equals("/") || ASSETS.contains(path.substring(1))) {
            ConsumerRoutes.requireMethod(method, "GET");
            asset(exchange, path.equals("/") ? "index.html" : path.substring(1));
            return;
        }
        List<String> parts =
                Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            String area = parts.get(1);
            List<String> rest = parts.subList(2, parts.size());
            if (area.equals("server") && rest.isEmpty()) {
                ConsumerRoutes.requireMethod(method, "GET");
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("stuckAfterMillis", stuckAfter.toMillis());
                about.put("catalog", catalog != null);
                about.put("metrics", registry != null);
                exchanges.sendJson(exchange, 200, about);
                return;
            }
            if (area.equals("consumers") && rest.size() == 2 && rest.get(1).equals("redrive")) {
                redrive(exchange, method, rest.get(0));
                return;
            }
            if (area.equals("redrives") && rest.isEmpty()) {
                ConsumerRoutes.requireMethod(method, "GET");
                exchanges.sendJson(exchange, 200, redrives.list());
                return;
            }
            if (area.equals("consumers") && consumers.handle(exchange, method, rest)) {
                return;
            }
            if (area.equals("resequencers") && rest.isEmpty()) {
                ConsumerRoutes.requireMethod(method, "GET");
                sequences.list(exchange);
                return;
            }
            if (area.equals("resequencers") && rest.size() == 2 && sequences.act(exchange, rest.get(0), rest.get(1))) {
                return;
            }
            if (area.equals("violations") && rest.isEmpty()) {
                ConsumerRoutes.requireMethod(method, "GET");
                sequences.violations(exchange);
                return;
            }
            if (catalog != null && rest.isEmpty() && (area.equals("topics") || area.equals("groups"))) {
                ConsumerRoutes.requireMethod(method, "GET");
                try {
                    exchanges.sendJson(exchange, 200, area.equals("topics") ? catalog.topics() : catalog.groups());
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new ApiException(503, "the engine did not answer: " + e);
                }
                return;
            }
        }
        throw ApiException.notFound("no such path: " + path);
    }

    /** The body of a redrive: the dead-letter topic to send back into the consumer's topic. */
    record RedriveRequest(String deadLetterTopic) {}

    private void redrive(HttpExchange exchange, String method, String name) throws IOException {
        ConsumerRoutes.requireMethod(method, "POST");
        exchanges.requireToken(exchange);
        RecordConsumer consumer = attached.get(name);
        if (consumer == null) {
            throw ApiException.notFound("no consumer named " + name + "; attached: " + attached.keySet());
        }
        RedriveRequest request = exchanges.body(exchange, RedriveRequest.class);
        if (request.deadLetterTopic() == null || request.deadLetterTopic().isBlank()) {
            throw ApiException.badRequest("a redrive needs deadLetterTopic");
        }
        redrives.start(name, consumer, request.deadLetterTopic());
        exchanges.sendJson(exchange, 202, Map.of("redriving", request.deadLetterTopic(), "into", consumer.topic()));
    }

    /** How redrives reach the catalog's engine; null without a catalog. */
    private static Redrives.Engine redriveEngine(Builder b) {
        if (b.log != null) {
            EmbeddedLog log = b.log;
            return new Redrives.Engine() {
                @Override
                public ConsumerBuilder<?, byte[], byte[]> deadLetters(String topic) {
                    return OrdoConsumer.builder(log, topic);
                }

                @Override
                public RecordProducer<byte[], byte[]> producer(String topic) {
                    return OrdoProducer.builder(log, topic).build();
                }
            };
        }
        if (b.bootstrapServers != null) {
            String servers = b.bootstrapServers;
            return new Redrives.Engine() {
                @Override
                public ConsumerBuilder<?, byte[], byte[]> deadLetters(String topic) {
                    return KafkaOrdoConsumer.builder(servers, topic);
                }

                @Override
                public RecordProducer<byte[], byte[]> producer(String topic) {
                    return KafkaOrdoProducer.builder(servers, topic).build();
                }
            };
        }
        return null;
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = OrdoServer.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw ApiException.notFound("no such asset: " + name);
            }
            String type = name.endsWith(".html")
                    ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
            Exchanges.send(exchange, 200, type, in.readAllBytes());
        }
    }

    /** Stops serving at once; attached consumers and the log are the caller's to close. */
    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
        redrives.close();
        if (catalog != null) {
            catalog.close();
        }
    }

    /** Configures an {@link OrdoServer}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String token = newToken();
        private int maxBodyBytes = 16 * 1024;
        private Duration stuckAfter = Duration.ofSeconds(10);
        private final Map<String, RecordConsumer> consumers = new LinkedHashMap<>();
        private final Map<String, Resequencer<?, ?>> resequencers = new LinkedHashMap<>();
        private final Map<String, OrderingMonitor<?>> monitors = new LinkedHashMap<>();
        private EmbeddedLog log;
        private String bootstrapServers;
        private PrometheusMeterRegistry registry;

        private Builder() {}

        /** The interface to bind (default 127.0.0.1, this machine only). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host must not be null");
            return this;
        }

        /** The port (default 0: any free one, see {@link OrdoServer#port()}). */
        public Builder port(int port) {
            this.port = Arguments.atMost("port", Arguments.atLeast("port", port, 0), 65_535);
            return this;
        }

        /** The token mutating calls must carry (default: 32 random bytes, URL-safe Base64). */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token must not be null");
            if (token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException(
                        "token must be at least 16 printable ASCII characters without spaces, was " + token.length()
                                + " characters");
            }
            this.token = token;
            return this;
        }

        /** The largest request body accepted (default 16 KiB); larger ones get 413. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes =
                    Arguments.atMost("maxBodyBytes", Arguments.atLeast("maxBodyBytes", maxBodyBytes, 64), 1 << 20);
            return this;
        }

        /** How long a key's record may be in progress before it counts as stuck (default 10 s). */
        public Builder stuckAfter(Duration stuckAfter) {
            this.stuckAfter = Arguments.positive("stuckAfter", stuckAfter);
            return this;
        }

        /** Shows {@code consumer} under {@code name} (1-100 characters of {@code [a-zA-Z0-9._-]}). */
        public Builder attach(String name, RecordConsumer consumer) {
            Objects.requireNonNull(consumer, "consumer must not be null");
            if (consumers.putIfAbsent(checkName(name), consumer) != null) {
                throw new IllegalArgumentException("a consumer named " + name + " is attached already");
            }
            return this;
        }

        static String checkName(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (!name.matches("[a-zA-Z0-9._-]{1,100}")) {
                throw new IllegalArgumentException(
                        "consumer name must be 1-100 characters of [a-zA-Z0-9._-], was '" + name + "'");
            }
            return name;
        }

        /** Shows {@code resequencer}'s open gaps and halted sources under {@code name}, with resume and skip. */
        public Builder attach(String name, Resequencer<?, ?> resequencer) {
            Objects.requireNonNull(resequencer, "resequencer must not be null");
            if (resequencers.putIfAbsent(checkName(name), resequencer) != null) {
                throw new IllegalArgumentException("a resequencer named " + name + " is attached already");
            }
            return this;
        }

        /** Shows {@code monitor}'s violation counts under {@code name}. */
        public Builder attach(String name, OrderingMonitor<?> monitor) {
            Objects.requireNonNull(monitor, "monitor must not be null");
            if (monitors.putIfAbsent(checkName(name), monitor) != null) {
                throw new IllegalArgumentException("a monitor named " + name + " is attached already");
            }
            return this;
        }

        /** Shows the embedded engine's topics and groups. */
        public Builder catalog(EmbeddedLog log) {
            this.log = Objects.requireNonNull(log, "log must not be null");
            this.bootstrapServers = null;
            return this;
        }

        /** Shows a Kafka cluster's topics and consumer groups (read with an admin client per request). */
        public Builder kafkaCatalog(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
            this.log = null;
            return this;
        }

        /** Serves {@code registry}'s scrape at {@code /metrics}. */
        public Builder metrics(PrometheusMeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IOException if the address cannot be bound (in use, or not this machine's)
         */
        public OrdoServer start() throws IOException {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
            try {
                OrdoServer server = new OrdoServer(this, http);
                http.start();
                return server;
            } catch (RuntimeException e) {
                http.stop(0); // frees the port bound above
                throw e;
            }
        }

        private static String newToken() {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }
}
