package dev.ordo.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The predecessor of each entry: the key's entry before it, forgetting the least recently audited keys first. */
class KeyTableTest {

    /** The rule written plainly: each key's last index, least recent first out, and whether any went. */
    private static final class Model {
        private final int capacity;
        private final LinkedHashMap<String, Long> last = new LinkedHashMap<>(16, 0.75f, true);
        private boolean forgotAny;

        Model(int capacity) {
            this.capacity = capacity;
        }

        long advance(String key, long index) {
            if (key == null) {
                return AuditEntry.NO_PREDECESSOR;
            }
            Long previous = last.remove(key);
            boolean forgotBefore = forgotAny;
            last.put(key, index);
            if (last.size() > capacity) {
                Map.Entry<String, Long> eldest = last.entrySet().iterator().next();
                last.remove(eldest.getKey());
                forgotAny = true;
            }
            if (previous != null) {
                return previous;
            }
            return forgotBefore ? AuditEntry.UNKNOWN_PREDECESSOR : AuditEntry.NO_PREDECESSOR;
        }
    }

    @Property(tries = 300)
    void eachEntryGetsItsKeysLastEntryOrNoneOrUnknownOnceKeysWereForgotten(
            @ForAll @IntRange(min = 1, max = 6) int capacity,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 8) Integer> keys) {
        KeyTable table = new KeyTable(capacity);
        Model model = new Model(capacity);
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i) == 0 ? null : "k" + keys.get(i); // 0 stands for a record without a key
            byte[] bytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            assertThat(table.advance(bytes, i)).as("entry %d, key %s", i, key).isEqualTo(model.advance(key, i));
        }
    }

    @Example
    void aKeyArrayTheCallerChangesAfterwardsLeavesTheTableAsItWas() {
        KeyTable table = new KeyTable(10);
        byte[] reused = "ACC-1".getBytes(StandardCharsets.UTF_8);
        table.advance(reused, 0);
        reused[4] = '2'; // the caller's next key, in the same array

        assertThat(table.advance(reused, 1)).isEqualTo(AuditEntry.NO_PREDECESSOR);
        assertThat(table.advance("ACC-1".getBytes(StandardCharsets.UTF_8), 2)).isEqualTo(0);
    }
}
