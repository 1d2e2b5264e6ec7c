package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.engine.Ordering;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ExecutionKeys} gives what {@link Ordering#executionKey} gives, reusing one key per key bytes. */
class ExecutionKeysTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void equalKeyBytesGetTheSameKeyObjectEqualToTheOrderingsKey() {
        ExecutionKeys keys = new ExecutionKeys(Ordering.KEY);

        Object first = keys.of(0, bytes("ACC-1"), 10);
        Object again = keys.of(3, bytes("ACC-1"), 11);

        assertThat(first).isEqualTo(Ordering.KEY.executionKey(0, bytes("ACC-1"), 10));
        assertThat(again).as("reused, not made again").isSameAs(first);
        assertThat(keys.of(0, bytes("ACC-2"), 12)).isEqualTo(Ordering.KEY.executionKey(0, bytes("ACC-2"), 12));
    }

    @Test
    void keysSharingASlotStillGetTheirOwnKeys() {
        ExecutionKeys keys = new ExecutionKeys(Ordering.KEY);
        // Far more keys than slots: every slot is taken over again and again.
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < 3 * ExecutionKeys.SLOTS; k++) {
                byte[] key = bytes("key-" + k);
                assertThat(keys.of(k % 4, key, k)).isEqualTo(Ordering.KEY.executionKey(k % 4, key, k));
            }
        }
    }

    @Test
    void aHandlerChangingItsKeyArrayChangesNoCachedKey() {
        ExecutionKeys keys = new ExecutionKeys(Ordering.KEY);
        byte[] handedToTheHandler = bytes("ACC-1");
        Object key = keys.of(0, handedToTheHandler, 1);

        handedToTheHandler[0] = 'X';

        assertThat(keys.of(0, bytes("ACC-1"), 2)).isSameAs(key).isEqualTo("ACC-1");
        assertThat(keys.of(0, handedToTheHandler, 3)).isEqualTo("XCC-1");
    }

    @Test
    void otherOrderingsAndRecordsWithoutKeyGetTheOrderingsKey() {
        assertThat(new ExecutionKeys(Ordering.KEY).of(2, null, 7)).isEqualTo(Ordering.KEY.executionKey(2, null, 7));
        assertThat(new ExecutionKeys(Ordering.PARTITION).of(2, bytes("a"), 7))
                .isEqualTo(Ordering.PARTITION.executionKey(2, bytes("a"), 7));
        assertThat(new ExecutionKeys(Ordering.UNORDERED).of(2, bytes("a"), 7))
                .isEqualTo(Ordering.UNORDERED.executionKey(2, bytes("a"), 7));
    }
}
