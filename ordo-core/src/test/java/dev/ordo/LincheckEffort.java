package dev.ordo;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * How hard the Lincheck tests search: a few seconds per structure in the default build, the
 * property {@code ordo.lincheck.scale} (20 under {@code -Pchaos}) multiplies the scenarios tried.
 *
 * <p>Both modes run for every structure, as Caffeine does: model checking explores the
 * interleavings of each scenario under sequential consistency and prints the trace of a failure;
 * stress runs the scenario on real threads, which also exercises the memory model (a missing
 * {@code volatile}) that the model checker does not.
 */
public final class LincheckEffort {

    private static final int SCALE = Integer.getInteger("ordo.lincheck.scale", 1);

    private LincheckEffort() {}

    /** Two threads of two operations each, between one operation before and one after. */
    public static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                .iterations(3 * SCALE)
                .invocationsPerIteration(40)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1);
    }

    /** Two threads on real cores, many short runs. */
    public static StressOptions stress() {
        return new StressOptions()
                .iterations(10 * SCALE)
                .invocationsPerIteration(500)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2);
    }

    /** Invocations of a {@code Lincheck.runConcurrentTest} block: each a different interleaving. */
    public static int interleavings() {
        return 500 * SCALE;
    }

    /**
     * A scenario written out, run besides the generated ones: the interleaving a structure's
     * correctness hinges on, so that the search need not be lucky to reach it.
     *
     * @param threads each thread's operations, as built by {@link #call}
     */
    public static ExecutionScenario scenario(
            Class<?> test, List<Actor> before, List<List<Actor>> threads, List<Actor> after) {
        Actor validation = Arrays.stream(test.getMethods())
                .filter(m -> m.isAnnotationPresent(Validate.class))
                .findFirst()
                .map(m -> new Actor(m, List.of()))
                .orElse(null);
        return new ExecutionScenario(before, threads, after, validation);
    }

    /** One call of the operation {@code name} of {@code test} with {@code args}. */
    public static Actor call(Class<?> test, String name, Object... args) {
        for (Method method : test.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                return new Actor(method, List.of(args));
            }
        }
        throw new IllegalArgumentException("no operation " + name + " with " + args.length + " arguments in " + test);
    }
}
