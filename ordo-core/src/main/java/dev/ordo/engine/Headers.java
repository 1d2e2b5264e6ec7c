package dev.ordo.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The headers of a record, in order, on both engines: what a producer sends with a record and what a
 * consumer's handler reads. Immutable; {@link #with} returns a copy with one more header. A name may
 * occur more than once (as in Kafka); {@link #lastValue} reads the last one.
 *
 * <pre>{@code
 * Headers headers = Headers.empty().with("trace-id", traceId).with(OrdoHeaders.SOURCE, "teller-1");
 * producer.send(OutgoingRecord.of(key, value).withHeaders(headers));
 * String trace = record.headers().lastString("trace-id");   // in the handler
 * }</pre>
 */
public final class Headers implements Iterable<Header> {

    private static final Headers EMPTY = new Headers(List.of());

    private final List<Header> headers;

    private Headers(List<Header> headers) {
        this.headers = headers;
    }

    /** No headers. */
    public static Headers empty() {
        return EMPTY;
    }

    /** These headers, in this order. */
    public static Headers of(List<Header> headers) {
        Objects.requireNonNull(headers, "headers must not be null");
        return headers.isEmpty() ? EMPTY : new Headers(List.copyOf(headers));
    }

    /** A copy with {@code key = value} added at the end. */
    public Headers with(String key, byte[] value) {
        List<Header> more = new ArrayList<>(headers.size() + 1);
        more.addAll(headers);
        more.add(new Header(key, value));
        return new Headers(List.copyOf(more));
    }

    /** A copy with {@code key = value} (UTF-8) added at the end. */
    public Headers with(String key, String value) {
        return with(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy with every header of {@code more} added at the end. */
    public Headers with(Headers more) {
        if (more.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return more;
        }
        List<Header> all = new ArrayList<>(headers);
        all.addAll(more.headers);
        return new Headers(List.copyOf(all));
    }

    /** The value of the last header named {@code key}, or null if there is none (or its value is null). */
    public byte[] lastValue(String key) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            Header h = headers.get(i);
            if (h.key().equals(key)) {
                return h.value();
            }
        }
        return null;
    }

    /** {@link #lastValue} as UTF-8 text, or null. */
    public String lastString(String key) {
        byte[] value = lastValue(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Every header named {@code key}, in order. */
    public List<Header> all(String key) {
        List<Header> matching = new ArrayList<>(2);
        for (Header h : headers) {
            if (h.key().equals(key)) {
                matching.add(h);
            }
        }
        return matching;
    }

    /** All headers in order (unmodifiable). */
    public List<Header> toList() {
        return headers;
    }

    public int size() {
        return headers.size();
    }

    public boolean isEmpty() {
        return headers.isEmpty();
    }

    @Override
    public Iterator<Header> iterator() {
        return headers.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers other && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return headers.hashCode();
    }

    @Override
    public String toString() {
        return headers.toString();
    }
}
