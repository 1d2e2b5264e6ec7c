package dev.ordo.engine.core;

import dev.ordo.engine.Headers;
import dev.ordo.engine.Ordering;
import java.util.Arrays;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution keys of a consumer's records ({@link Ordering#executionKey}), the key of a recent record
 * with equal bytes reused: under {@link Ordering#KEY} each record's key was a new {@code String} and a
 * copy of its bytes, an eighth of the bytes a consumer allocated per record end to end. A direct-mapped
 * cache of {@value #SLOTS} keys (room to spare for the keys in flight at once, so that few collide), looked up by the bytes' hash and compared byte by byte; a miss makes
 * the key as {@link Ordering#executionKey} does and keeps it, with a copy of the bytes, in the slot. Under
 * KEY ordering a record's execution key depends on its key bytes alone, so what runs in order is
 * unchanged; the copies are the cache's own, so a handler that changes its record's key array changes
 * nothing here. A record declared commutative ({@code ConsumerBuilder#commutative}) has a key of its own,
 * so it waits for no other. Used by the engine's one fetching thread only.
 */
final class ExecutionKeys {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionKeys.class);

    static final int SLOTS = 8192;

    private final Ordering ordering;
    /** Which records run outside the ordering, or null for none. */
    private final Predicate<Headers> commutative;

    /** Per slot, a copy of the key bytes cached there, and their execution key; null unless KEY ordering. */
    private final byte[][] bytes;

    private final Object[] keys;

    ExecutionKeys(Ordering ordering) {
        this(ordering, null);
    }

    ExecutionKeys(Ordering ordering, Predicate<Headers> commutative) {
        this.ordering = ordering;
        this.commutative = commutative;
        this.bytes = ordering == Ordering.KEY ? new byte[SLOTS][] : null;
        this.keys = ordering == Ordering.KEY ? new Object[SLOTS] : null;
    }

    /** The execution key of the record at {@code offset} of {@code partition} with key bytes {@code key}. */
    Object of(int partition, byte[] key, long offset) {
        if (bytes == null || key == null) {
            return ordering.executionKey(partition, key, offset);
        }
        int hash = Arrays.hashCode(key);
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        if (Arrays.equals(bytes[slot], key)) {
            return keys[slot];
        }
        Object made = ordering.executionKey(partition, key, offset);
        bytes[slot] = key.clone();
        keys[slot] = made;
        return made;
    }

    /** The execution key of record {@code r} of {@code partition}: its own if it is commutative. */
    Object of(int partition, RawRecord r) {
        return commutative(r) ? new Commutative(partition, r.offset()) : of(partition, r.key(), r.offset());
    }

    /** Whether {@code r} is declared commutative; one whose test throws keeps the ordering. */
    private boolean commutative(RawRecord r) {
        if (commutative == null) {
            return false;
        }
        try {
            return commutative.test(r.headers());
        } catch (RuntimeException e) {
            LOG.debug("commutative test of {}@{} failed; the record keeps the ordering", r.partition(), r.offset(), e);
            return false;
        }
    }

    /** The execution key of a commutative record: its own, so it waits for no other record. */
    private record Commutative(int partition, long offset) {}
}
