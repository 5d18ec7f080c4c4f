package dev.codex4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where this JVM's CPU goes, by kind of thread, from {@code /proc/self/task/*}: the dispatcher, the
 * virtual-thread carriers (ForkJoinPool workers: every consumer, handler and callback runs there),
 * the JIT compilers, the garbage collector, and the rest. A snapshot is taken before and after a
 * run; threads that ended in between are counted in the total only ({@code other}). Linux only;
 * elsewhere every figure is 0.
 *
 * <pre>{@code
 * ThreadCpu before = ThreadCpu.snapshot();
 * run();
 * System.out.println(ThreadCpu.snapshot().minus(before).describe(notifications));
 * }</pre>
 *
 * <p>It also counts each thread's voluntary context switches (from {@code /proc/self/task/<id>/status}):
 * how often it went to sleep and was woken again. Unlike CPU time, that count hardly depends on how
 * busy the machine is, so it compares wake-up economies on a shared machine.
 *
 * @param byTask CPU nanoseconds by thread id
 * @param names each thread's name ({@code comm}, 15 characters at most)
 * @param switches voluntary context switches by thread id
 */
public record ThreadCpu(Map<String, Long> byTask, Map<String, String> names, Map<String, Long> switches) {
    /** USER_HZ: 100 on every Linux we run on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** @return the CPU of every live thread of this JVM now */
    public static ThreadCpu snapshot() {
        Map<String, Long> cpu = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        Map<String, Long> switches = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    cpu.put(t.getFileName().toString(), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK);
                    names.put(t.getFileName().toString(), comm);
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            switches.put(t.getFileName().toString(), Long.parseLong(line.substring(24).trim()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return new ThreadCpu(cpu, names, switches);
    }

    /** @return the CPU each thread used since {@code before} (threads that ended are gone) */
    public ThreadCpu minus(ThreadCpu before) {
        Map<String, Long> d = new HashMap<>();
        byTask.forEach((tid, ns) -> d.put(tid, ns - before.byTask.getOrDefault(tid, 0L)));
        Map<String, Long> sw = new HashMap<>();
        switches.forEach((tid, n) -> sw.put(tid, n - before.switches.getOrDefault(tid, 0L)));
        return new ThreadCpu(d, names, sw);
    }

    /** @return CPU nanoseconds by kind: dispatcher, carriers, jit, gc, other threads */
    public Map<String, Long> byKind() {
        return sumByKind(byTask);
    }

    /** @return voluntary context switches by kind: dispatcher, carriers, jit, gc, other threads */
    public Map<String, Long> switchesByKind() {
        return sumByKind(switches);
    }

    private Map<String, Long> sumByKind(Map<String, Long> byThread) {
        Map<String, Long> kinds = new LinkedHashMap<>();
        for (String k : new String[] {"dispatcher", "carriers", "jit", "gc", "other threads"}) {
            kinds.put(k, 0L);
        }
        byThread.forEach((tid, n) -> kinds.merge(kind(names.getOrDefault(tid, "")), n, Long::sum));
        return kinds;
    }

    private static String kind(String comm) {
        if (comm.startsWith("codex4j-dispatc")) {
            return "dispatcher";
        }
        if (comm.startsWith("ForkJoinPool")) {
            return "carriers";
        }
        if (comm.contains("Compiler")) {
            return "jit";
        }
        if (comm.startsWith("GC ") || comm.startsWith("G1") || comm.startsWith("VM Thread")) {
            return "gc";
        }
        return "other threads";
    }

    /**
     * @param totalNanos the process's CPU over the same span (threads that ended count there only)
     * @param notifications what the CPU was spent on
     * @return one line: microseconds per notification by kind
     */
    public String describe(long totalNanos, long notifications) {
        StringBuilder b = new StringBuilder();
        long counted = 0;
        for (Map.Entry<String, Long> e : byKind().entrySet()) {
            counted += e.getValue();
            b.append(String.format(Locale.ROOT, "%s %.2f us, ", e.getKey(), e.getValue() / 1e3 / notifications));
        }
        b.append(String.format(Locale.ROOT, "ended threads %.2f us", Math.max(0, totalNanos - counted) / 1e3 / notifications));
        Map<String, Long> sw = switchesByKind();
        b.append(String.format(Locale.ROOT, "%n    sleeps (voluntary context switches) per 100 notifications: dispatcher %.1f,"
                + " carriers %.1f, all threads %.1f", 100.0 * sw.get("dispatcher") / notifications,
                100.0 * sw.get("carriers") / notifications,
                100.0 * sw.values().stream().mapToLong(Long::longValue).sum() / notifications));
        return b.toString();
    }
}
