package dev.ordo.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A record of what was sent and what was received, in the order each happened, and of what the
 * topic promises ({@link Expectations}: its partition layout, the bounds on event times), for the
 * {@link OrderingChecker}. Thread-safe: senders and receivers on different threads may record into
 * the same history.
 *
 * <p>Sends must be recorded in the order the application intends them to be applied per key
 * (usually the order a producer sent them).
 *
 * <pre>{@code
 * History history = new History().expect(Expectations.defaults().withLayout(PartitionLayout.kafkaDefault(8)));
 * history.sent(new Message(key, producer, sequence, id));
 * history.received(new Message(key, producer, sequence, id).withPartition(record.partition()));
 * CheckReport report = history.check();
 * }</pre>
 */
public final class History {

    private final List<Message> sent = new ArrayList<>();
    private final List<Message> received = new ArrayList<>();
    private Expectations expectations = Expectations.defaults();

    public synchronized void sent(Message message) {
        sent.add(Objects.requireNonNull(message, "message must not be null"));
    }

    public synchronized void received(Message message) {
        received.add(Objects.requireNonNull(message, "message must not be null"));
    }

    /** Sets what the history is checked against (by default {@link Expectations#defaults()}); returns this history. */
    public synchronized History expect(Expectations expectations) {
        this.expectations = Objects.requireNonNull(expectations, "expectations must not be null");
        return this;
    }

    /** What the history is checked against. */
    public synchronized Expectations expectations() {
        return expectations;
    }

    /** The sends so far, in order. */
    public synchronized List<Message> sent() {
        return List.copyOf(sent);
    }

    /** The receipts so far, in order. */
    public synchronized List<Message> received() {
        return List.copyOf(received);
    }

    /** Checks this history against its expectations; see {@link OrderingChecker#check(List, List, Expectations)}. */
    public CheckReport check() {
        List<Message> s;
        List<Message> r;
        Expectations e;
        synchronized (this) {
            s = List.copyOf(sent);
            r = List.copyOf(received);
            e = expectations;
        }
        return OrderingChecker.check(s, r, e);
    }
}
