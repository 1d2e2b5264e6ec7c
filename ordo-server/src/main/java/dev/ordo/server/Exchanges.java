package dev.ordo.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * What every route of the server does to a request and its answer: the token check for a mutating call
 * (a header, never a cookie, so a page on another site cannot make the browser send it), a body read up to
 * a limit, strict JSON both ways (unknown fields, trailing tokens and duplicate keys refused; no Java
 * serialization anywhere), and errors as {@code {"error": "..."}} with their status.
 */
final class Exchanges {

    /** The header a mutating call carries its token in. */
    static final String TOKEN_HEADER = "X-Ordo-Token";

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final byte[] token;
    private final int maxBodyBytes;

    Exchanges(String token, int maxBodyBytes) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
    }

    int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Refuses the call with 401 unless it carries the server's token (compared in constant time). */
    void requireToken(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "a mutating call needs the server's token in the " + TOKEN_HEADER + " header");
        }
    }

    /** The request body as {@code type}: 413 beyond the size limit, 400 for anything but one JSON object of it. */
    <T> T body(HttpExchange exchange, Class<T> type) throws IOException {
        byte[] bytes = readLimited(exchange.getRequestBody());
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        try {
            T value = json.readValue(bytes, type);
            if (value == null) {
                throw ApiException.badRequest("the request body must be a JSON object, was null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        }
    }

    private byte[] readLimited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(maxBodyBytes + 1);
        if (bytes.length > maxBodyBytes) {
            throw new ApiException(413, "request body over " + maxBodyBytes + " bytes");
        }
        return bytes;
    }

    /** The query string's parameters, decoded. */
    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.put(
                        URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed query parameter " + pair + ": " + e.getMessage());
            }
        }
        return params;
    }

    void sendJson(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", json.writeValueAsBytes(value));
    }

    void sendError(HttpExchange exchange, int status, String message) throws IOException {
        sendJson(exchange, status, Map.of("error", message));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
