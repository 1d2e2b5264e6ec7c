package dev.ordo.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * The main class of the child JVM an {@link EmbeddedKafka} starts: formats the broker's storage as
 * {@code kafka-storage.sh format} does, then runs the KRaft server as {@code kafka-server-start.sh}
 * does. Kafka's classes are reached by name, so that ordo-kafka compiles against the clients alone;
 * the child's classpath (the parent's) has {@code kafka_2.13}. The child ends when its standard input
 * ends: the parent closes it on {@link EmbeddedKafka#close()}, and the operating system does when the
 * parent dies, also by {@code kill -9}, so no broker outlives the JVM that started it.
 *
 * <p>Arguments: the cluster id, then the server properties file.
 */
final class BrokerProcess {

    private BrokerProcess() {}

    public static void main(String[] args) throws Throwable {
        if (args.length != 2) {
            throw new IllegalArgumentException(
                    "arguments must be <cluster id> <server properties file>, were " + String.join(" ", args));
        }
        String clusterId = args[0];
        String properties = args[1];
        exitWhenTheParentGoes();
        // A release's default features include the group protocol of KIP-848 (group.version 1): stated
        // here, so the consumers' `consumer` protocol does not depend on what a release turns on by default.
        Method format =
                Class.forName("kafka.tools.StorageTool").getMethod("execute", String[].class, PrintStream.class);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int formatted = (int) invoke(
                format,
                (Object) new String[] {"format", "-t", clusterId, "-c", properties, "--feature", "group.version=1"},
                out);
        if (formatted != 0) {
            System.err.println("formatting the broker's storage failed with exit code " + formatted);
            System.exit(formatted);
        }
        invoke(Class.forName("kafka.Kafka").getMethod("main", String[].class), (Object) new String[] {properties});
    }

    private static Object invoke(Method method, Object... args) throws Throwable {
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Exits (running Kafka's own shutdown hook) once standard input ends: the parent closed it or died. */
    private static void exitWhenTheParentGoes() {
        Thread watch = new Thread(
                () -> {
                    InputStream in = System.in;
                    try {
                        while (in.read() >= 0) {
                            // nothing is ever sent; only the end matters
                        }
                    } catch (IOException e) {
                        // the pipe broke: the parent is gone all the same
                    }
                    System.exit(0);
                },
                "ordo-broker-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
