package dev.ordo.sequence;

import dev.ordo.LincheckEffort;
import dev.ordo.flow.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * The {@link Resequencer} is documented thread-safe (one lock over all its state, the sink called
 * under it): offers, operator skips and reads from several threads must be linearizable against a
 * plain single-threaded resequencer ({@link Model}), and what reaches the sink must be, per source,
 * in order, without duplicates and without loss.
 *
 * <p>Two sources, sequences 0 to 4, room for two held messages and {@link OverflowPolicy#REFUSE}, so
 * that scenarios reach duplicates, gaps, late copies of skipped numbers and a full buffer. The sink
 * checks order as messages arrive; {@link #deliveredInOrderWithoutLossOrDuplicates()} checks the
 * whole delivery after each run.
 */
@Param(name = "source", gen = IntGen.class, conf = "0:1")
@Param(name = "sequence", gen = IntGen.class, conf = "0:4")
public class ResequencerLincheckTest {

    private static final int SOURCES = 2;
    private static final int ROOM = 2;

    @SuppressWarnings("unchecked")
    private final List<Integer>[] delivered = new List[] {new ArrayList<>(), new ArrayList<>()};

    private final Resequencer<Integer, Integer> resequencer = Resequencer.<Integer, Integer>builder()
            .maxBuffered(ROOM)
            .overflowPolicy(OverflowPolicy.REFUSE)
            .build(this::deliver);

    @Test
    void offersSkipsAndReadsAreLinearizableUnderModelChecking() {
        LincheckEffort.modelChecking().sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    void offersSkipsAndReadsAreLinearizableUnderStress() {
        LincheckEffort.stress().sequentialSpecification(Model.class).check(getClass());
    }

    @Operation
    public Resequencer.Offer offer(@Param(name = "source") int source, @Param(name = "sequence") int sequence) {
        return resequencer.offer(source, sequence, sequence);
    }

    @Operation
    public String skip(@Param(name = "source") int source, @Param(name = "sequence") int through) {
        try {
            resequencer.skip(source, through, "operator gives up");
            return "skipped";
        } catch (IllegalArgumentException belowNextExpected) {
            return "refused";
        }
    }

    @Operation
    public long nextExpected(@Param(name = "source") int source) {
        return resequencer.nextExpected(source);
    }

    @Operation
    public List<Long> stats() {
        ResequencerStats s = resequencer.stats();
        return List.of(s.released(), s.duplicates(), s.late(), (long) s.buffered(), s.refused(), s.skipped());
    }

    /** Called under the resequencer's lock: a message out of order or twice fails the offer that released it. */
    private void deliver(int source, long sequence, int message) {
        List<Integer> log = delivered[source];
        if (message != sequence || (!log.isEmpty() && sequence <= log.get(log.size() - 1))) {
            throw new AssertionError("source " + source + " delivered " + sequence + " after " + log);
        }
        log.add(message);
    }

    @Validate
    public void deliveredInOrderWithoutLossOrDuplicates() {
        ResequencerStats stats = resequencer.stats();
        long total = 0;
        for (int source = 0; source < SOURCES; source++) {
            List<Integer> log = delivered[source];
            for (int i = 1; i < log.size(); i++) {
                if (log.get(i) <= log.get(i - 1)) {
                    throw new AssertionError("source " + source + " delivered out of order: " + log);
                }
            }
            long next = resequencer.nextExpected(source);
            if (!log.isEmpty() && log.get(log.size() - 1) >= next) {
                throw new AssertionError("source " + source + " delivered " + log + " but expects " + next);
            }
            total += log.size();
        }
        if (total != stats.released()) {
            throw new AssertionError("sink got " + total + " messages, stats say " + stats.released());
        }
    }

    /**
     * The contract, one caller at a time: release the next expected sequence and the held ones behind
     * it, hold what is ahead while there is room (refuse it otherwise), drop what was released or is
     * held (a duplicate) or was skipped (late); an operator skip gives up the missing numbers through
     * a sequence, releasing what is held in that range.
     */
    public static final class Model {
        private final long[] next = new long[SOURCES];

        @SuppressWarnings("unchecked")
        private final TreeSet<Long>[] held = new TreeSet[] {new TreeSet<>(), new TreeSet<>()};

        @SuppressWarnings("unchecked")
        private final TreeSet<Long>[] skipped = new TreeSet[] {new TreeSet<>(), new TreeSet<>()};

        private long released;
        private long duplicates;
        private long late;
        private long refused;
        private long skippedCount;

        public Resequencer.Offer offer(int source, int sequence) {
            long s = sequence;
            if (s < next[source]) {
                if (skipped[source].contains(s)) {
                    late++;
                    return Resequencer.Offer.LATE;
                }
                duplicates++;
                return Resequencer.Offer.DUPLICATE;
            }
            if (held[source].contains(s)) {
                duplicates++;
                return Resequencer.Offer.DUPLICATE;
            }
            if (s == next[source]) {
                released++;
                next[source]++;
                drain(source);
                return Resequencer.Offer.RELEASED;
            }
            if (s - next[source] > ROOM || heldTotal() >= ROOM) {
                refused++;
                return Resequencer.Offer.REFUSED;
            }
            held[source].add(s);
            return Resequencer.Offer.BUFFERED;
        }

        public String skip(int source, int through) {
            if (through < next[source]) {
                return "refused";
            }
            for (long s = next[source]; s <= through; s++) {
                if (held[source].remove(s)) {
                    released++;
                } else {
                    skipped[source].add(s);
                    skippedCount++;
                }
            }
            next[source] = through + 1L;
            drain(source);
            return "skipped";
        }

        public long nextExpected(int source) {
            return next[source];
        }

        public List<Long> stats() {
            return List.of(released, duplicates, late, (long) heldTotal(), refused, skippedCount);
        }

        private void drain(int source) {
            while (held[source].remove(next[source])) {
                released++;
                next[source]++;
            }
        }

        private int heldTotal() {
            return held[0].size() + held[1].size();
        }
    }
}
