package dev.ordo.audit;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each key's last entry, for the next entry's predecessor: bounded, the least recently audited key
 * forgotten first. Once a key was forgotten, a key not in the table may have had entries before, so
 * its predecessor is {@link AuditEntry#UNKNOWN_PREDECESSOR} rather than a claim that it had none.
 * A key seen before costs no allocation: it is looked up through one reused probe and its slot is
 * updated in place; a new key's bytes are copied, so that a caller reusing its array cannot change
 * the table. Confined to the writer's lock.
 */
final class KeyTable {

    private final int capacity;
    private final LinkedHashMap<Key, Slot> last;
    private final Key probe = new Key(null, 0);
    private boolean forgotAny;

    KeyTable(int capacity) {
        this.capacity = capacity;
        this.last = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Slot> eldest) {
                if (size() > KeyTable.this.capacity) {
                    forgotAny = true;
                    return true;
                }
                return false;
            }
        };
    }

    /** Records that entry {@code index} is {@code key}'s and returns the key's entry before it. */
    long advance(byte[] key, long index) {
        if (key == null) {
            return AuditEntry.NO_PREDECESSOR;
        }
        probe.bytes = key;
        probe.hash = Arrays.hashCode(key);
        Slot slot = last.get(probe); // access order: the key becomes the most recent
        probe.bytes = null;
        if (slot != null) {
            long previous = slot.index;
            slot.index = index;
            return previous;
        }
        boolean forgotBefore = forgotAny; // a key forgotten to make room for this one is no reason to doubt it
        last.put(new Key(key.clone(), probe.hash), new Slot(index));
        return forgotBefore ? AuditEntry.UNKNOWN_PREDECESSOR : AuditEntry.NO_PREDECESSOR;
    }

    /** A key's bytes with their hash; the probe's change between lookups, a stored key's never. */
    private static final class Key {
        byte[] bytes;
        int hash;

        Key(byte[] bytes, int hash) {
            this.bytes = bytes;
            this.hash = hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The index of a key's last entry. */
    private static final class Slot {
        long index;

        Slot(long index) {
            this.index = index;
        }
    }
}
