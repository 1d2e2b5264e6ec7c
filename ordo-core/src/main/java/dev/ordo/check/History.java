package dev.ordo.check;

import java.util.ArrayList;
import java.util.List;

/**
 * A record of what was sent and what was received, in the order each happened, for the
 * {@link OrderingChecker}. Thread-safe: senders and receivers on different threads may record
 * into the same history.
 *
 * <p>Sends must be recorded in the order the application intends them to be applied per key
 * (usually the order a producer sent them).
 */
public final class History {

    private final List<Message> sent = new ArrayList<>();
    private final List<Message> received = new ArrayList<>();

    public synchronized void sent(Message message) {
        sent.add(message);
    }

    public synchronized void received(Message message) {
        received.add(message);
    }

    /** The sends so far, in order. */
    public synchronized List<Message> sent() {
        return List.copyOf(sent);
    }

    /** The receipts so far, in order. */
    public synchronized List<Message> received() {
        return List.copyOf(received);
    }

    /** Checks this history; see {@link OrderingChecker#check(List, List)}. */
    public CheckReport check() {
        List<Message> s;
        List<Message> r;
        synchronized (this) {
            s = List.copyOf(sent);
            r = List.copyOf(received);
        }
        return OrderingChecker.check(s, r);
    }
}
