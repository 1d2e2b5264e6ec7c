package dev.ordo.flow;

import dev.ordo.LincheckEffort;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * A {@link Budget} shared by threads that take and give back: it never admits more than its bounds,
 * never goes below zero, and behaves as a plain sequential budget ({@link BudgetContract}) except
 * where its Javadoc says otherwise: at the very edge a claim that does not fit, given back at once,
 * can make a concurrent {@link Budget#tryAcquire} fail, and {@link Budget#count()} /
 * {@link Budget#bytes()} may include such a claim (or a release half done) while it is under way.
 *
 * <p>Each thread gives back only what it took itself (the budget's contract: a release matches an
 * acquire), remembered per thread. A waiting {@link Budget#acquire} must be woken by the release
 * that makes room: {@link #aWaitingAcquireIsWokenByTheReleaseThatMakesRoom()} model-checks the
 * wake-up, where a lost one hangs the interleaving and Lincheck reports it.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
@Param(name = "size", gen = IntGen.class, conf = "0:3")
public class BudgetLincheckTest {

    static final int MAX_COUNT = 2;
    static final int MAX_BYTES = 4;

    private final Budget budget = Budget.of(MAX_COUNT, MAX_BYTES);

    /** What each Lincheck thread holds, last taken first; only that thread touches its own. */
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Integer>[] held = BudgetContract.emptyHoldings();

    @Test
    void takesAndReleasesMeetTheContractUnderModelChecking() {
        LincheckEffort.modelChecking().verifier(BudgetContract.class).check(getClass());
    }

    @Test
    void takesAndReleasesMeetTheContractUnderStress() {
        LincheckEffort.stress().verifier(BudgetContract.class).check(getClass());
    }

    @Test
    void aWaitingAcquireIsWokenByTheReleaseThatMakesRoom() {
        Lincheck.runConcurrentTest(LincheckEffort.interleavings(), () -> {
            Budget full = Budget.of(1, 10);
            full.tryAcquire(10);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    full.acquire(4);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            Thread releaser = new Thread(() -> full.release(10));
            waiter.start();
            releaser.start();
            try {
                waiter.join();
                releaser.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (failure.get() != null || full.count() != 1 || full.bytes() != 4) {
                throw new AssertionError(
                        "after the wait: " + full.count() + " taken, " + full.bytes() + " bytes", failure.get());
            }
        });
    }

    @Operation
    public boolean tryAcquire(@Param(name = "thread") int thread, @Param(name = "size") int size) {
        boolean taken = budget.tryAcquire(size);
        if (taken) {
            held[thread].push(size);
        }
        return taken;
    }

    /** Gives back what this thread took last; -1 if it holds nothing. */
    @Operation
    public int release(@Param(name = "thread") int thread) {
        Integer size = held[thread].poll();
        if (size == null) {
            return -1;
        }
        budget.release(size);
        return size;
    }

    @Operation
    public long count() {
        return budget.count();
    }

    @Operation
    public long bytes() {
        return budget.bytes();
    }
}
