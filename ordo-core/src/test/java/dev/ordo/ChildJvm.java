package dev.ordo;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

/**
 * A child JVM on this JVM's class path, for tests of what needs a process of its own (a crash, one
 * consumer process of several): it runs a main class, talks in lines on its standard output, and is asked
 * to end by closing its standard input. Waits are bounded: {@link #awaitLine} kills a child that does not
 * say what is waited for in time and fails naming it, with the end of the child's standard error.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.start(Replica.class, topic, group)) {
 *     child.awaitLine("READY", Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "child-jvm-timeout");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs a crash test of {@code cycles} child JVMs within a budget that grows with them, 60 s and 6 s a
     * cycle (a JVM started, run and killed on a loaded 2-core machine takes 2-3 s): the default 60 s a test
     * is overrun by 20 cycles under load, and the 500 of {@code -Pchaos} get 51 minutes. The test method
     * itself carries a {@code @Timeout} of an hour, the chaos profile's.
     */
    public static void withinCycles(int cycles, Executable crashTest) {
        Duration budget = Duration.ofSeconds(60 + 6L * cycles);
        assertTimeoutPreemptively(
                budget, crashTest, () -> cycles + " crash cycles took more than " + budget.toSeconds() + " s");
    }

    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final Path errors;

    private ChildJvm(String name, Process process, Path errors) {
        this.name = name;
        this.process = process;
        this.errors = errors;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code main} with {@code args}; its standard error goes to a temporary file. */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        Path errors = Files.createTempFile("child-jvm-" + main.getSimpleName() + "-", ".err");
        errors.toFile().deleteOnExit();
        return new ChildJvm(
                main.getSimpleName(),
                new ProcessBuilder(command(main, args))
                        .redirectError(errors.toFile())
                        .start(),
                errors);
    }

    /** The command line that runs {@code main} with {@code args} on this JVM's class path. */
    public static List<String> command(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Reads the child's lines until one starts with {@code prefix} and returns it.
     *
     * @throws AssertionError naming the prefix if the child ends or takes longer than {@code timeout} (it is
     *     then killed)
     */
    public String awaitLine(String prefix, Duration timeout) throws IOException {
        ScheduledFuture<?> kill = TIMER.schedule(process::destroyForcibly, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } finally {
            kill.cancel(false);
        }
        throw new AssertionError(name + " did not say " + prefix + " within " + timeout + " (killed, or ended with "
                + exitValueOrNone() + "); its standard error ends with:\n" + errorTail());
    }

    /** Writes {@code line} to the child's standard input. */
    public void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** The process, to kill it ({@code destroyForcibly}) or to read its exit value. */
    public Process process() {
        return process;
    }

    private String exitValueOrNone() {
        try {
            return "exit value " + process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no exit value";
        }
    }

    private String errorTail() {
        try {
            List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(not readable: " + e + ")";
        }
    }

    /** Asks the child to end (closes its standard input), waits up to 20 s, then kills it. */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
        } catch (IOException ended) {
            // it ended already
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            out.close();
            Files.deleteIfExists(errors);
        }
    }
}
