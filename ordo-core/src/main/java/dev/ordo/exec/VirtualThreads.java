package dev.ordo.exec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads for code compiled for Java 17: {@code Thread.ofVirtual().name(prefix, 1).factory()},
 * looked up once through method handles where the running JVM has it (Java 21 or newer). On an older
 * JVM asking for them fails with a message naming the version, rather than falling back to platform
 * threads: an executor configured for thousands of keys on virtual threads would otherwise start
 * thousands of platform threads.
 */
final class VirtualThreads {

    static final int MIN_JAVA = 21;

    // Thread.ofVirtual(), Thread.Builder.name(String, long) and Thread.Builder.factory(); null before Java 21.
    private static final MethodHandle OF_VIRTUAL;
    private static final MethodHandle NAME;
    private static final MethodHandle FACTORY;

    static {
        MethodHandle ofVirtual = null;
        MethodHandle name = null;
        MethodHandle factory = null;
        // Java 19 and 20 have Thread.ofVirtual() as a preview API only, which fails unless previews are on.
        if (Runtime.version().feature() >= MIN_JAVA) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> builder = Class.forName("java.lang.Thread$Builder");
                Class<?> ofVirtualBuilder = Class.forName("java.lang.Thread$Builder$OfVirtual");
                ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualBuilder));
                name = lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class, long.class));
                factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e); // Java 21+ without Thread.ofVirtual(): not a JDK we know
            }
        }
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        FACTORY = factory;
    }

    private VirtualThreads() {}

    /** Whether the running JVM has virtual threads. */
    static boolean available() {
        return OF_VIRTUAL != null;
    }

    /**
     * @throws UnsupportedOperationException before Java 21, naming the running version
     */
    static void requireAvailable() {
        if (!available()) {
            throw new UnsupportedOperationException("virtualThreads() needs Java " + MIN_JAVA + " or newer, running on "
                    + Runtime.version().feature());
        }
    }

    /**
     * Starts virtual threads named {@code prefix1}, {@code prefix2}, ...
     *
     * @throws UnsupportedOperationException before Java 21
     */
    static ThreadFactory factory(String prefix) {
        requireAvailable();
        try {
            Object builder = OF_VIRTUAL.invoke();
            builder = NAME.invoke(builder, prefix, 1L);
            return (ThreadFactory) FACTORY.invoke(builder);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a virtual thread factory", e); // none is declared
        }
    }
}
