package dev.ordo.flow;

import static dev.ordo.flow.BudgetLincheckTest.MAX_BYTES;
import static dev.ordo.flow.BudgetLincheckTest.MAX_COUNT;

import java.util.ArrayDeque;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.execution.ResultWithClock;
import org.jetbrains.kotlinx.lincheck.util.LincheckResult;
import org.jetbrains.kotlinx.lincheck.util.ValueResult;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * The {@link Budget}'s documented contract as a Lincheck verifier: the results must come from some
 * order of the operations that respects each thread's order and real time (linearizability), run on
 * a plain sequential budget, with the two allowances its Javadoc makes for its lock-free claim (take
 * a permit, then the bytes, give back what does not fit):
 *
 * <ul>
 *   <li>a {@code tryAcquire} that fits may still be refused if a {@code tryAcquire} of another thread,
 *       under way at the same time, was refused (its claim, given back at once, was in the way);
 *   <li>{@code count()} and {@code bytes()} may include the claims of overlapping takes and the
 *       half-done gives of overlapping releases, never a negative value.
 * </ul>
 *
 * Nothing else: a take beyond the bounds, a lost release, a refusal with nobody else at the edge, or
 * a reading off by more than what is under way fails the check.
 */
public final class BudgetContract implements Verifier {

    /** Lincheck passes the sequential specification; the contract is written out here instead. */
    public BudgetContract(Class<?> sequentialSpecification) {}

    @SuppressWarnings("unchecked")
    static ArrayDeque<Integer>[] emptyHoldings() {
        ArrayDeque<Integer>[] holdings = new ArrayDeque[8];
        for (int i = 0; i < holdings.length; i++) {
            holdings[i] = new ArrayDeque<>();
        }
        return holdings;
    }

    @Override
    public boolean verifyResults(ExecutionScenario scenario, ExecutionResult result) {
        State state = new State();
        if (!applySequential(state, scenario.getInitExecution(), result.getInitResults())) {
            return false;
        }
        return search(
                state, scenario, result, new int[scenario.getParallelExecution().size()]);
    }

    /** Tries every next operation the real-time order allows, depth first. */
    private static boolean search(State state, ExecutionScenario scenario, ExecutionResult result, int[] done) {
        List<List<Actor>> threads = scenario.getParallelExecution();
        List<List<ResultWithClock>> results = result.getParallelResultsWithClock();
        boolean finished = true;
        for (int t = 0; t < threads.size(); t++) {
            int k = done[t];
            if (k == threads.get(t).size()) {
                continue;
            }
            finished = false;
            if (!startedAfterAllLinearized(results.get(t).get(k), done, t)) {
                continue;
            }
            State next = state.copy();
            if (next.apply(threads.get(t).get(k), value(results.get(t).get(k).getResult()), t, k, scenario, result)) {
                done[t]++;
                boolean found = search(next, scenario, result, done);
                done[t]--;
                if (found) {
                    return true;
                }
            }
        }
        return finished && applySequential(state.copy(), scenario.getPostExecution(), result.getPostResults());
    }

    /** Every operation that ended before this one started is already in the order. */
    private static boolean startedAfterAllLinearized(ResultWithClock op, int[] done, int thread) {
        for (int j = 0; j < done.length; j++) {
            if (j != thread && op.getClockOnStart().get(j) > done[j]) {
                return false;
            }
        }
        return true;
    }

    private static boolean applySequential(State state, List<Actor> actors, List<? extends LincheckResult> results) {
        for (int i = 0; i < actors.size(); i++) {
            if (!state.apply(actors.get(i), value(results.get(i)), -1, -1, null, null)) {
                return false;
            }
        }
        return true;
    }

    private static Object value(LincheckResult result) {
        return result instanceof ValueResult v ? v.getValue() : result; // an exception never matches
    }

    /** Whether operation (t, k) and (j, m) of the parallel part were under way at the same time. */
    private static boolean overlap(ExecutionResult result, int t, int k, int j, int m) {
        List<List<ResultWithClock>> clocks = result.getParallelResultsWithClock();
        boolean tBeforeJ = clocks.get(j).get(m).getClockOnStart().get(t) > k;
        boolean jBeforeT = clocks.get(t).get(k).getClockOnStart().get(j) > m;
        return !tBeforeJ && !jBeforeT;
    }

    /** The sequential budget, with what each thread holds. */
    private static final class State {
        long count;
        long bytes;
        ArrayDeque<Integer>[] held = emptyHoldings();

        State copy() {
            State c = new State();
            c.count = count;
            c.bytes = bytes;
            for (int i = 0; i < held.length; i++) {
                c.held[i] = held[i].clone();
            }
            return c;
        }

        /** Applies one operation with its observed result; false if the contract does not allow that result. */
        boolean apply(Actor actor, Object observed, int t, int k, ExecutionScenario scenario, ExecutionResult result) {
            List<Object> args = actor.getArguments();
            switch (actor.getMethod().getName()) {
                case "tryAcquire" -> {
                    int thread = (Integer) args.get(0);
                    int size = (Integer) args.get(1);
                    boolean fits = count + 1 <= MAX_COUNT && bytes + size <= MAX_BYTES;
                    if (Boolean.TRUE.equals(observed)) {
                        if (!fits) {
                            return false;
                        }
                        count++;
                        bytes += size;
                        held[thread].push(size);
                        return true;
                    }
                    return Boolean.FALSE.equals(observed)
                            && (!fits || concurrent(t, k, scenario, result, "tryAcquire", Boolean.FALSE) > 0);
                }
                case "release" -> {
                    Integer size = held[(Integer) args.get(0)].poll();
                    if (size == null) {
                        return Integer.valueOf(-1).equals(observed);
                    }
                    count--;
                    bytes -= size;
                    return size.equals(observed);
                }
                case "count" -> {
                    long read = (Long) observed;
                    return read >= 0
                            && read >= count - concurrent(t, k, scenario, result, "release", null)
                            && read <= count + concurrent(t, k, scenario, result, "tryAcquire", null);
                }
                case "bytes" -> {
                    long read = (Long) observed;
                    long taking = concurrentSizes(t, k, scenario, result, "tryAcquire");
                    long giving = concurrentSizes(t, k, scenario, result, "release");
                    return read >= 0 && read >= bytes - taking && read <= bytes + taking + giving;
                }
                default -> throw new IllegalArgumentException("unknown operation " + actor);
            }
        }

        /** How many operations {@code name} of other threads overlapped (t, k), with the result {@code outcome} if not null. */
        private static int concurrent(
                int t, int k, ExecutionScenario scenario, ExecutionResult result, String name, Object outcome) {
            if (scenario == null) {
                return 0;
            }
            int n = 0;
            List<List<Actor>> threads = scenario.getParallelExecution();
            for (int j = 0; j < threads.size(); j++) {
                for (int m = 0; j != t && m < threads.get(j).size(); m++) {
                    boolean matches =
                            threads.get(j).get(m).getMethod().getName().equals(name)
                                    && (outcome == null
                                            || outcome.equals(value(result.getParallelResultsWithClock()
                                                    .get(j)
                                                    .get(m)
                                                    .getResult())));
                    if (matches && overlap(result, t, k, j, m)) {
                        n++;
                    }
                }
            }
            return n;
        }

        /** The sizes moved by overlapping operations {@code name} of other threads (a release's is its result). */
        private static long concurrentSizes(
                int t, int k, ExecutionScenario scenario, ExecutionResult result, String name) {
            if (scenario == null) {
                return 0;
            }
            long sum = 0;
            List<List<Actor>> threads = scenario.getParallelExecution();
            for (int j = 0; j < threads.size(); j++) {
                for (int m = 0; j != t && m < threads.get(j).size(); m++) {
                    Actor other = threads.get(j).get(m);
                    if (other.getMethod().getName().equals(name) && overlap(result, t, k, j, m)) {
                        Object moved = name.equals("release")
                                ? value(result.getParallelResultsWithClock()
                                        .get(j)
                                        .get(m)
                                        .getResult())
                                : other.getArguments().get(1);
                        sum += moved instanceof Integer size ? Math.max(0, size) : 0;
                    }
                }
            }
            return sum;
        }
    }
}
