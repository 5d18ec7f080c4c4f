package dev.codex4j.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.codex4j.Codex;
import dev.codex4j.CodexClient;
import dev.codex4j.CodexFleet;
import dev.codex4j.CodexThread;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.testkit.MockModelServer;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the CPU goes against the real Codex CLI (offline): {@code threads} concurrent threads
 * each run {@code turns} turns through the public {@link Codex} API, each turn a final answer of
 * {@code deltas} deltas from testkit's mock model. The mock model runs in a child JVM of its own
 * ({@link MockModelMain}), so this JVM's CPU is the SDK's (and this harness's) alone. Reports CPU
 * per notification and each process's share: this JVM, the codex app-server, the mock model.
 *
 * <pre>{@code
 * scripts/load-real-cli                # 8 threads x 5 turns x 500 deltas
 * scripts/load-real-cli 16 10 200      # threads turns deltas
 * scripts/load-real-cli 20 1 2000 events 3   # ... events() or run(), warm-up rounds (1 by default)
 * scripts/load-real-cli 16 10 200 events 1 4 # ... through a CodexFleet of 4 app-servers (1: one Codex)
 * }</pre>
 */
public final class RealCliLoad {
    private RealCliLoad() {}

    /**
     * What one run measured.
     *
     * @param turns turns completed
     * @param notifications events the SDK delivered (one per notification of a turn)
     * @param seconds wall time
     * @param sdkCpuNanos this JVM's CPU
     * @param codexCpuNanos the codex app-server's CPU (with its children)
     * @param mockCpuNanos the mock model JVM's CPU
     */
    public record Result(long turns, long notifications, double seconds, long sdkCpuNanos, long codexCpuNanos,
            long mockCpuNanos, ThreadCpu sdkThreads) {

        String describe() {
            double total = sdkCpuNanos + codexCpuNanos + mockCpuNanos;
            return String.format(Locale.ROOT,
                    "%,d turns (%.1f/s), %,d notifications in %.2f s = %,.0f/s; CPU per notification: SDK %.1f us,"
                            + " codex app-server %.1f us, mock model %.1f us; share of CPU: SDK %.1f%%,"
                            + " codex %.1f%%, mock model %.1f%%%n",
                    turns, turns / seconds, notifications, seconds, notifications / seconds, sdkCpuNanos / 1e3 / notifications,
                    codexCpuNanos / 1e3 / notifications, mockCpuNanos / 1e3 / notifications,
                    100 * sdkCpuNanos / total, 100 * codexCpuNanos / total, 100 * mockCpuNanos / total)
                    + "    SDK by thread: " + sdkThreads.describe(sdkCpuNanos, Math.max(1, notifications)) + "\n";
        }
    }

    /** @param args optional: threads, turns per thread, deltas per turn, events or run, warm-up rounds */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int deltas = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        boolean events = args.length <= 3 || !args[3].equals("run");
        int warmups = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int endpoints = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        System.out.printf(Locale.ROOT, "codex4j against the real Codex CLI (offline): %d cores, Java %s;"
                + " %d threads x %d turns x %d deltas, %s, %d warm-up rounds, %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), threads, turns, deltas,
                events ? "events()" : "run()", warmups,
                endpoints <= 1 ? "one Codex" : "a CodexFleet of " + endpoints + " app-servers",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Result r = run(threads, turns, deltas, events, warmups, endpoints);
        System.out.print(r.describe());
        System.exit(r.turns() == (long) threads * turns ? 0 : 1);
    }

    /**
     * Runs the load once (after one warm-up turn per thread that is not counted).
     *
     * @return what it measured
     */
    public static Result run(int threads, int turns, int deltas) throws Exception {
        return run(threads, turns, deltas, true);
    }

    /**
     * Runs the load once, consuming each turn with {@code events()} or {@code run()}.
     *
     * @return what it measured
     */
    public static Result run(int threads, int turns, int deltas, boolean events) throws Exception {
        return run(threads, turns, deltas, events, 1);
    }

    /**
     * Runs the load once, consuming each turn with {@code events()} or {@code run()}, after
     * {@code warmups} uncounted rounds of one turn per thread.
     *
     * @return what it measured
     */
    public static Result run(int threads, int turns, int deltas, boolean events, int warmups) throws Exception {
        return run(threads, turns, deltas, events, warmups, 1);
    }

    /**
     * Runs the load once through one {@link Codex} ({@code endpoints} 1) or a {@link CodexFleet} of
     * that many app-servers (stdio children, threads placed by load); the codex CPU is then the
     * sum over all of them.
     *
     * @return what it measured
     */
    public static Result run(int threads, int turns, int deltas, boolean events, int warmups, int endpoints)
            throws Exception {
        Process mock = startMockModel(deltas);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(mock.getInputStream(), StandardCharsets.UTF_8))) {
            String baseUrl = out.readLine();
            if (baseUrl == null || !baseUrl.startsWith("http://")) {
                throw new IllegalStateException("the mock model JVM did not start: " + baseUrl);
            }
            try (OfflineCodex offline = OfflineCodex.builder()
                    .config("model_providers.mock.base_url", "\"" + baseUrl + "\"").start();
                 CodexClient codex = client(offline, endpoints)) {
                List<CodexThread> all = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    all.add(codex.startThread());
                }
                // Warm-up: rounds of one turn per thread, in parallel, uncounted in the result but each
                // reported (the first rounds, JIT included, apart from the steady state).
                AtomicLong warm = new AtomicLong();
                List<ProcessHandle> codexes = codexProcesses(mock.pid());
                OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                for (int i = 0; i < Math.max(1, warmups); i++) {
                    warm.set(0);
                    ThreadCpu t0 = ThreadCpu.snapshot();
                    long s0 = os.getProcessCpuTime();
                    long c0 = treeCpuNanos(codexes);
                    runAll(all, 1, warm, true); // events(): it also counts the notifications of one turn
                    long n = Math.max(1, warm.get());
                    long sdk = os.getProcessCpuTime() - s0;
                    long jit = ThreadCpu.snapshot().minus(t0).byKind().getOrDefault("jit", 0L);
                    System.out.printf(Locale.ROOT, "    warm-up round %d (%s): SDK %.1f us per notification, of which JIT"
                            + " %.1f us (%.0f%%); SDK share %.1f%%%n", i + 1, "events()",
                            sdk / 1e3 / n, jit / 1e3 / n, 100.0 * jit / Math.max(1, sdk),
                            100.0 * sdk / Math.max(1, sdk + treeCpuNanos(codexes) - c0));
                }
                long perTurn = warm.get() / threads;
                ThreadCpu threads0 = ThreadCpu.snapshot();
                long sdk0 = os.getProcessCpuTime();
                long codex0 = treeCpuNanos(codexes);
                long mock0 = LoadHarness.Procfs.cpuNanos(mock.pid());
                long start = System.nanoTime();
                AtomicLong notifications = new AtomicLong();
                long done = runAll(all, turns, notifications, events);
                if (!events) {
                    notifications.set(done * perTurn); // run() sees them all but hands out only the result
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new Result(done, notifications.get(), seconds, os.getProcessCpuTime() - sdk0,
                        treeCpuNanos(codexes) - codex0,
                        LoadHarness.Procfs.cpuNanos(mock.pid()) - mock0, ThreadCpu.snapshot().minus(threads0));
            }
        } finally {
            mock.getOutputStream().close();
            if (!mock.waitFor(5, TimeUnit.SECONDS)) {
                mock.destroyForcibly();
            }
        }
    }

    private static long runAll(List<CodexThread> threads, int turns, AtomicLong notifications, boolean events)
            throws Exception {
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (CodexThread thread : threads) {
                results.add(pool.submit(() -> {
                    int completed = 0;
                    for (int t = 0; t < turns; t++) {
                        if (!events) {
                            thread.run("write a long answer");
                            completed++;
                            continue;
                        }
                        try (TurnEventStream stream = thread.turn("write a long answer").events()) {
                            long n = 0;
                            for (TurnEvent e : stream) {
                                n++;
                                if (e instanceof TurnEvent.Completed) {
                                    completed++;
                                }
                            }
                            notifications.addAndGet(n);
                        }
                    }
                    return completed;
                }));
            }
        }
        long done = 0;
        for (Future<Integer> f : results) {
            done += f.get();
        }
        return done;
    }

    private static CodexClient client(OfflineCodex offline, int endpoints) {
        if (endpoints <= 1) {
            return PacedLoad.withMaxDelay(Codex.builder()).launch(offline.launch()).build();
        }
        CodexFleet.Builder b = CodexFleet.builder();
        for (int i = 0; i < endpoints; i++) {
            b.endpoint(PacedLoad.withMaxDelay(Codex.builder()).launch(offline.launch()));
        }
        return b.build();
    }

    /** The codex app-servers: our children that are not the mock model JVM. */
    private static List<ProcessHandle> codexProcesses(long mockPid) {
        List<ProcessHandle> all = ProcessHandle.current().children().filter(h -> h.pid() != mockPid)
                .filter(ProcessHandle::isAlive).toList();
        if (all.isEmpty()) {
            throw new IllegalStateException("no codex app-server child process");
        }
        return all;
    }

    private static long treeCpuNanos(List<ProcessHandle> roots) {
        long sum = 0;
        for (ProcessHandle h : roots) {
            sum += LoadHarness.Procfs.treeCpuNanos(h);
        }
        return sum;
    }

    private static Process startMockModel(int deltas) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                MockModelMain.class.getName(), Integer.toString(deltas));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    /** The mock model in a JVM of its own: prints its base URL, serves until stdin ends. */
    public static final class MockModelMain {
        private MockModelMain() {}

        /** @param args the number of deltas of every reply */
        public static void main(String[] args) throws Exception {
            int deltas = Integer.parseInt(args[0]);
            try (MockModelServer server = MockModelServer.start()) {
                server.defaultReply(r -> ModelReply.longMessage(deltas));
                System.out.println(server.baseUrl());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
            System.exit(0);
        }
    }
}
