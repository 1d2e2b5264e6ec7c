package dev.ordo.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * How busy other processes kept the machine while a benchmark ran: the CPU time the whole machine used
 * (Linux's {@code /proc/stat}) less this JVM's, per second of the run, in cores. The load average cannot
 * tell: the benchmark's own threads count in it.
 */
final class OtherLoad {

    /** {@code USER_HZ}: the unit of {@code /proc/stat}, 100 on every Linux architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private final long startNanos = System.nanoTime();
    private final long machineTicksAtStart;
    private final long ownCpuNanosAtStart = ownCpuNanos();

    private OtherLoad(long machineTicks) {
        this.machineTicksAtStart = machineTicks;
    }

    /** Starts counting now. */
    static OtherLoad start() {
        return new OtherLoad(machineBusyTicks());
    }

    /** The cores other processes kept busy on average since the start; empty where {@code /proc/stat} is not. */
    OptionalDouble cores() {
        long machineTicks = machineBusyTicks();
        if (machineTicks < 0 || machineTicksAtStart < 0) {
            return OptionalDouble.empty();
        }
        double machineSeconds = (machineTicks - machineTicksAtStart) / TICKS_PER_SECOND;
        double ownSeconds = (ownCpuNanos() - ownCpuNanosAtStart) / 1e9;
        double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
        return OptionalDouble.of(Math.max(0, machineSeconds - ownSeconds) / elapsedSeconds);
    }

    /** The machine's busy time (all but idle and I/O wait) in ticks, or -1 without {@code /proc/stat}. */
    private static long machineBusyTicks() {
        try {
            String[] cpu =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks =
                    Arrays.stream(cpu, 1, cpu.length).mapToLong(Long::parseLong).toArray();
            // user nice system idle iowait irq softirq steal guest guest_nice; guests count in user already
            return ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long ownCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
