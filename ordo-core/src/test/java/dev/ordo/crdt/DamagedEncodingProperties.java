package dev.ordo.crdt;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Serdes;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Damaged bytes never decode into an exception other than {@link IllegalArgumentException} (no index or
 * buffer errors, no huge allocations): a cut encoding is always refused, a flipped byte refused or decoded.
 */
class DamagedEncodingProperties {

    private static final HybridTimestamp T = new HybridTimestamp(1_733_300_000_000L, 3);

    private static final List<byte[]> VALID = List.of(
            GCounter.empty()
                    .increment("a", 300)
                    .merge(GCounter.empty().increment("bb", 7))
                    .encode(),
            PNCounter.empty().add("a", -5).merge(PNCounter.empty().add("b", 9)).encode(),
            orSet().encode(Serdes.string()),
            LwwRegister.<String>empty().set("eu-1", "Main St 1", T).encode(Serdes.string()),
            LwwMap.<String, String>empty()
                    .put("eu-1", "email", "a@example.org", T)
                    .merge(LwwMap.<String, String>empty().remove("us-1", "phone", T))
                    .encode(Serdes.string(), Serdes.string()));

    private static final List<Function<byte[], Object>> DECODERS = List.of(
            GCounter::decode,
            PNCounter::decode,
            b -> ORSet.decode(b, Serdes.string()),
            b -> LwwRegister.decode(b, Serdes.string()),
            b -> LwwMap.decode(b, Serdes.string(), Serdes.string()));

    private static ORSet<String> orSet() {
        ORSet<String> set = ORSet.empty();
        set = set.merge(set.add("a", "x"));
        set = set.merge(set.add("b", "y"));
        return set.merge(ORSet.<String>empty().add("c", "z")).merge(set.remove("x"));
    }

    @Property(tries = 500)
    void aCutEncodingIsRefused(@ForAll long seed) {
        Random random = new Random(seed);
        int type = random.nextInt(VALID.size());
        byte[] valid = VALID.get(type);
        byte[] cut = Arrays.copyOf(valid, random.nextInt(valid.length));
        assertThatThrownBy(() -> DECODERS.get(type).apply(cut)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 1_000)
    void aFlippedByteIsRefusedOrDecoded(@ForAll long seed) {
        Random random = new Random(seed);
        int type = random.nextInt(VALID.size());
        byte[] damaged = VALID.get(type).clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
            damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
        }
        try {
            DECODERS.get(type).apply(damaged);
        } catch (IllegalArgumentException refused) {
            // as it should be
        }
    }
}
