package dev.ordo.audit;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each key's last entry, for the next entry's predecessor: bounded, the least recently audited key
 * forgotten first. Once a key was forgotten, a key not in the table may have had entries before, so
 * its predecessor is {@link AuditEntry#UNKNOWN_PREDECESSOR} rather than a claim that it had none.
 * Confined to the writer's lock.
 */
final class KeyTable {

    private final int capacity;
    private final LinkedHashMap<ByteBuffer, Long> last;
    private boolean forgotAny;

    KeyTable(int capacity) {
        this.capacity = capacity;
        this.last = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Long> eldest) {
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
        boolean forgotBefore = forgotAny; // a key forgotten to make room for this one is no reason to doubt it
        Long previous = last.put(ByteBuffer.wrap(key), index);
        if (previous != null) {
            return previous;
        }
        return forgotBefore ? AuditEntry.UNKNOWN_PREDECESSOR : AuditEntry.NO_PREDECESSOR;
    }
}
