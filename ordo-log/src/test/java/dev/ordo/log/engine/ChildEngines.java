package dev.ordo.log.engine;

import dev.ordo.ChildJvm;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the crash tests share about an engine run in a child JVM: starting it with this JVM's class path,
 * and, in the last cycle, reading its {@code CONSUMED key value} lines until every acknowledged record
 * was consumed, then closing its input, which asks it to shut down cleanly.
 */
final class ChildEngines {

    private ChildEngines() {}

    /** Starts {@code main} with {@code args} in a child JVM ({@link ChildJvm#command}); its standard error is discarded. */
    static Process start(Class<?> main, String... args) throws IOException {
        return new ProcessBuilder(ChildJvm.command(main, args))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /**
     * Reads until every acknowledged record was consumed, then asks the child to close; fails, naming what
     * is missing, if that takes more than 40 s (a consumer that waits for ever must not hang the build).
     */
    static void awaitConsumed(History history, Set<String> acknowledged, BufferedReader out, Process child)
            throws IOException {
        Set<String> consumed = new HashSet<>();
        history.received().forEach(m -> consumed.add(m.id()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        ScheduledFuture<?> stop = TIMER.schedule(child.toHandle()::destroyForcibly, 40, TimeUnit.SECONDS);
        String line;
        while (!consumed.containsAll(acknowledged) && (line = out.readLine()) != null) {
            String[] f = line.split(" ");
            if (f[0].equals("CONSUMED")) {
                history.received(new Message(f[1], f[1], -1, f[2]));
                consumed.add(f[2]);
            }
        }
        stop.cancel(false);
        if (System.nanoTime() > deadline || !consumed.containsAll(acknowledged)) {
            Set<String> missing = new HashSet<>(acknowledged);
            missing.removeAll(consumed);
            throw new AssertionError("the child did not consume " + missing.size() + " acknowledged records within"
                    + " 40 s, e.g. " + missing.stream().limit(5).toList());
        }
        child.getOutputStream().close();
    }

    /** Kills a child that does not finish in time (its output then ends, and the reader with it). */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "child-engine-timeout");
        t.setDaemon(true);
        return t;
    });
}
