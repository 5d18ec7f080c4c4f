package dev.codex4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What this process holds at one moment: open file descriptors ({@code /proc/self/fd}), the SDK's
 * platform threads (named {@code codex4j-...}: dispatcher, scheduler, stderr drain), all live
 * platform threads, and child processes (every descendant). Virtual threads do not show up in
 * {@link Thread#getAllStackTraces()}; the SDK's are checked per connection instead
 * ({@code Connection.liveThreads()}).
 *
 * <pre>{@code
 * Probe before = Probe.now();
 * // ... open and close clients ...
 * Probe after = Probe.settle(before, Duration.ofSeconds(10));
 * }</pre>
 *
 * @param fds open file descriptors
 * @param sdkThreads live platform threads whose name starts with {@code codex4j-}
 * @param threads all live platform threads of the JVM
 * @param children live descendant processes
 */
public record Probe(int fds, int sdkThreads, int threads, long children) {
    private static final Path FDS = Path.of("/proc/self/fd");

    /** @return the counts now */
    public static Probe now() {
        return new Probe(openFds(), sdkThreadNames().size(), ManagementFactory.getThreadMXBean().getThreadCount(),
                ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count());
    }

    /**
     * Waits (up to {@code maxMillis}) until the counts are back at or below {@code baseline} (children:
     * none), because processes and threads end a little after close() returns on a loaded machine.
     *
     * @return the counts at the end of the wait
     */
    public static Probe settle(Probe baseline, long maxMillis) {
        await(() -> {
            Probe p = now();
            return p.fds <= baseline.fds && p.sdkThreads <= baseline.sdkThreads && p.children <= baseline.children;
        }, maxMillis);
        return now();
    }

    /** @return open file descriptors of this process, or -1 where there is no {@code /proc} */
    public static int openFds() {
        if (!Files.isDirectory(FDS)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(FDS)) {
            return (int) s.count() - 1; // the listing's own descriptor
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the names of the SDK's live platform threads */
    public static List<String> sdkThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("codex4j-")).sorted().toList();
    }

    /** @return used heap in bytes after a full collection (several, until it stops shrinking) */
    public static long heapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= best - (1 << 20)) {
                return Math.min(best, used);
            }
            best = Math.min(best, used);
        }
        return best;
    }

    /** Polls (every 20 ms) until the condition holds or the time is up. @return whether it held */
    public static boolean await(BooleanSupplier condition, long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** @return "fds N, SDK threads N, threads N, child processes N" */
    public String describe() {
        return String.format(Locale.ROOT, "fds %d, SDK platform threads %d, JVM threads %d, child processes %d", fds,
                sdkThreads, threads, children);
    }

    /** @return the machine's load averages, from {@code /proc/loadavg} */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
