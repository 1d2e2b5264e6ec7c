package dev.ordo.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Serdes;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrdtTest {

    private static final HybridTimestamp T1 = new HybridTimestamp(1_000, 0);
    private static final HybridTimestamp T2 = new HybridTimestamp(1_000, 1);

    @Test
    void aGCounterSumsTheHighestCountOfEachReplica() {
        GCounter a = GCounter.empty().increment("a", 3);
        GCounter counter = a.merge(a.increment("a", 2)).merge(GCounter.empty().increment("b", 4));
        assertThat(counter.value()).isEqualTo(9);
        assertThat(counter.counts()).isEqualTo(Map.of("a", 5L, "b", 4L));
        assertThat(counter.merge(a)).as("an old delta again changes nothing").isEqualTo(counter);
    }

    @Test
    void aNegativeGCounterIncrementIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> GCounter.empty().increment("a", -3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("G-Counter increment must be >= 0, was -3");
    }

    @Test
    void aLedgerAsPnCounterDeltasGivesTheProducersBalanceInAnyOrderAndWithDuplicates() {
        PNCounter empty = PNCounter.empty();
        PNCounter deposit1000 = empty.add("teller", 1000);
        PNCounter afterDeposit = empty.merge(deposit1000);
        PNCounter withdraw300 = afterDeposit.add("teller", -300);
        PNCounter deposit100 = afterDeposit.merge(withdraw300).add("teller", 100);
        PNCounter balance = empty.merge(deposit100)
                .merge(withdraw300)
                .merge(deposit100)
                .merge(deposit1000)
                .merge(withdraw300);
        assertThat(balance.value()).isEqualTo(800);
        assertThat(PNCounter.decode(balance.encode())).isEqualTo(balance);
    }

    @Test
    void anOrSetKeepsAnAdditionConcurrentWithARemoval() {
        ORSet<String> a = ORSet.<String>empty();
        a = a.merge(a.add("a", "x"));
        ORSet<String> b = ORSet.<String>empty().merge(a);
        ORSet<String> removal = b.remove("x");
        ORSet<String> concurrentAdd = a.add("a", "x");
        ORSet<String> one = a.merge(concurrentAdd).merge(removal);
        ORSet<String> other = b.merge(removal).merge(concurrentAdd);
        assertThat(one).isEqualTo(other);
        assertThat(one.elements()).containsExactly("x");
        assertThat(b.merge(removal).contains("x")).isFalse();
    }

    @Test
    void anOrSetRemovalArrivingBeforeItsAdditionStillRemovesIt() {
        ORSet<String> a = ORSet.<String>empty();
        ORSet<String> add = a.add("a", "x");
        ORSet<String> removal = a.merge(add).remove("x");
        assertThat(ORSet.<String>empty().merge(removal).merge(add).contains("x"))
                .isFalse();
    }

    @Test
    void lastWriterWinsByTimestampThenByTheHigherReplicaId() {
        LwwRegister<String> empty = LwwRegister.empty();
        LwwRegister<String> early = empty.set("z", "early", T1);
        LwwRegister<String> late = empty.set("a", "late", T2);
        assertThat(early.merge(late).value()).contains("late");
        assertThat(late.merge(early).value()).contains("late");
        LwwRegister<String> tieA = empty.set("a", "from a", T2);
        LwwRegister<String> tieB = empty.set("b", "from b", T2);
        assertThat(tieA.merge(tieB).value()).contains("from b");
        assertThat(tieB.merge(tieA).value()).contains("from b");
    }

    @Test
    void aReplicaWritingTwoValuesWithOneTimestampIsRefusedNamingBoth() {
        LwwRegister<String> empty = LwwRegister.empty();
        assertThatThrownBy(() -> empty.set("a", "x", T1).merge(empty.set("a", "y", T1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replica a wrote two values at timestamp 1000.0: x and y");
    }

    @Test
    void anLwwMapRemovalOutlivesAnOlderPutArrivingAfterIt() {
        LwwMap<String, String> empty = LwwMap.empty();
        LwwMap<String, String> put = empty.put("a", "email", "old@example.org", T1);
        LwwMap<String, String> removal = empty.remove("b", "email", T2);
        LwwMap<String, String> map = empty.merge(removal).merge(put);
        assertThat(map.get("email")).isEmpty();
        assertThat(map.asMap()).isEmpty();
        assertThat(LwwMap.decode(map.encode(Serdes.string(), Serdes.string()), Serdes.string(), Serdes.string()))
                .isEqualTo(map);
    }

    @Test
    void aTruncatedEncodingIsRefusedNamingTheField() {
        byte[] bytes = GCounter.empty().increment("a", 300).encode();
        assertThatThrownBy(() -> GCounter.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("G-Counter count of replica a: truncated at byte 5");
    }

    @Test
    void bytesOfAnotherTypeAreRefusedByTheirTag() {
        byte[] counter = GCounter.empty().increment("a", 1).encode();
        assertThatThrownBy(() -> PNCounter.decode(counter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PN-Counter encoding must start with tag 80, was 71");
    }

    @Test
    void aGCounterOfThreeReplicasEncodesInAFewBytesPerReplica() {
        GCounter counter = GCounter.empty()
                .merge(GCounter.empty().increment("a", 100))
                .merge(GCounter.empty().increment("b", 200))
                .merge(GCounter.empty().increment("c", 5));
        // tag, replica count, then id length, id and count: 3 bytes for a, 4 for b (200 takes 2), 3 for c
        assertThat(counter.encode()).hasSize(1 + 1 + 3 + 4 + 3);
        assertThat(GCounter.decode(counter.encode())).isEqualTo(counter);
    }
}
