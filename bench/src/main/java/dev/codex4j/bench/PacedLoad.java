package dev.codex4j.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.TurnHandle;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Realistic arrival rates through the public API: {@code turns} concurrent turns on as many
 * threads, each streaming {@code deltas} deltas at {@code rate} per second from testkit's fake
 * app-server in a child process, every line written and flushed on its own (line-by-line
 * arrival, the hard case for wake-ups), the turns' starts spread over one delta interval so that
 * their lines interleave. Each turn is consumed on a virtual thread of its own with
 * {@code events()} (every event) or {@code run()} (the result). Reports this JVM's CPU per
 * notification (and by kind of thread), the fake's, and, for {@code events()}, the added latency
 * from the fake's write to the consumer (each delta carries its {@code nanoTime}) at microsecond
 * resolution. Every turn is checked: every delta exactly once and in order (each carries its
 * sequence number), the final text whole.
 *
 * <p>Uses only the public API, so the same class measures an older codex4j side by side.
 *
 * <pre>{@code
 * java -cp ... dev.codex4j.bench.PacedLoad --turns=1000 --deltas=100 --rate=50 --mode=events [--warmups=N] [--repeat=N]
 * scripts/perf-figures    # the figures of issue 11, side by side with an older codex4j
 * }</pre>
 */
public final class PacedLoad {
    private static final int MAX_LATENCY_US = 1_000_000;
    /**
     * System property: the client's latency budget in milliseconds ({@code CodexBuilder.maxDelay}),
     * set reflectively so that this class also runs against a codex4j without budgets (which then
     * says so and runs without one).
     */
    static final String MAX_DELAY_PROPERTY = "codex4j.bench.maxDelayMillis";

    private PacedLoad() {}

    /**
     * Sets the client's latency budget from {@value #MAX_DELAY_PROPERTY}, when given and when this
     * codex4j has budgets ({@code maxDelay(Duration)} on the builder).
     *
     * @param builder a {@code Codex.builder()}
     * @param <B> its type
     * @return the builder
     */
    public static <B> B withMaxDelay(B builder) {
        String ms = System.getProperty(MAX_DELAY_PROPERTY);
        if (ms == null) {
            return builder;
        }
        try {
            builder.getClass().getMethod("maxDelay", java.time.Duration.class)
                    .invoke(builder, java.time.Duration.ofMillis(Long.parseLong(ms)));
            System.out.println("    latency budget (maxDelay): " + ms + " ms");
        } catch (NoSuchMethodException e) {
            System.out.println("    latency budget: not in this version of codex4j (" + ms + " ms asked)");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return builder;
    }

    /**
     * What to run.
     *
     * @param turns concurrent turns (one thread each)
     * @param deltas deltas per turn
     * @param rate deltas per second per turn (0: as fast as the fake writes)
     * @param mode {@code events} or {@code run}
     * @param warmups uncounted rounds of every turn before the measured one (0: a short warm-up of
     *     at most 20 turns)
     * @param repeat measured rounds of every turn, one after the other (their sums are reported)
     */
    public record Config(int turns, int deltas, int rate, String mode, int warmups, int repeat) {
        static Config parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    a.put(arg.substring(2, eq), arg.substring(eq + 1));
                }
            }
            return new Config(Integer.parseInt(a.getOrDefault("turns", "1000")),
                    Integer.parseInt(a.getOrDefault("deltas", "100")), Integer.parseInt(a.getOrDefault("rate", "50")),
                    a.getOrDefault("mode", "events"), Integer.parseInt(a.getOrDefault("warmups", "0")),
                    Integer.parseInt(a.getOrDefault("repeat", "1")));
        }
    }

    /**
     * What one run measured.
     *
     * @param config what ran
     * @param notifications notifications the consumers received
     * @param expected notifications the fake wrote
     * @param failures turns that missed, repeated or reordered a delta (with why)
     * @param seconds wall time
     * @param cpuNanos this JVM's CPU
     * @param fakeCpuNanos the fake app-server's CPU
     * @param threads this JVM's CPU by kind of thread
     * @param p50Us median added latency (events mode)
     * @param p99Us 99th percentile added latency (events mode)
     * @param maxUs largest added latency (events mode)
     */
    public record Result(Config config, long notifications, long expected, List<String> failures, double seconds,
            long cpuNanos, long fakeCpuNanos, ThreadCpu threads, long p50Us, long p99Us, long maxUs) {

        /** @return whether every turn got every delta once, in order */
        public boolean complete() {
            return failures.isEmpty() && notifications == expected;
        }

        String describe() {
            return String.format(Locale.ROOT,
                    "paced %s: %,d turns x %,d deltas at %,d/s each%s (%,.0f notifications/s offered): %,d/%,d delivered in"
                            + " %.2f s; CPU per notification: ours %.2f us, fake %.2f us; latency p50 %d us, p99 %d us,"
                            + " max %d us; %s%n    ours by thread: %s%n",
                    config.mode, config.turns, config.deltas, config.rate,
                    config.repeat > 1 ? ", " + config.repeat + " times" : "", (double) config.turns * config.rate,
                    notifications, expected, seconds, cpuNanos / 1e3 / Math.max(1, notifications),
                    fakeCpuNanos / 1e3 / Math.max(1, notifications), p50Us, p99Us, maxUs,
                    complete() ? "all complete, exactly once, in order"
                            : failures.size() + " turns FAILED, e.g. " + failures.subList(0, Math.min(3, failures.size())),
                    threads.describe(cpuNanos, Math.max(1, notifications)));
        }
    }

    /** @param args {@code --turns=N --deltas=N --rate=N --mode=events|run} */
    public static void main(String[] args) throws Exception {
        Config config = Config.parse(args);
        System.out.printf(Locale.ROOT, "codex4j paced load: %d cores, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Result r = run(config);
        System.out.print(r.describe());
        System.exit(r.complete() ? 0 : 1);
    }

    /** Runs once, after a short uncounted warm-up on the same connection. */
    public static Result run(Config config) throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.pacedTurn(config.deltas(), config.rate()));
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                Codex codex = withMaxDelay(Codex.builder()).launch(fake.launch()).build()) {
            List<CodexThread> threads = new ArrayList<>();
            for (int i = 0; i < config.turns(); i++) {
                threads.add(codex.startThread());
            }
            if (config.warmups() == 0) {
                runTurns(threads.subList(0, Math.min(threads.size(), 20)), config, new Stats());
            }
            for (int i = 0; i < config.warmups(); i++) {
                runTurns(threads, config, new Stats());
            }
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Stats stats = new Stats();
            ThreadCpu threadsBefore = ThreadCpu.snapshot();
            long cpu0 = os.getProcessCpuTime();
            long fake0 = childrenCpu();
            long start = System.nanoTime();
            for (int i = 0; i < Math.max(1, config.repeat()); i++) {
                runTurns(threads, config, stats);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = os.getProcessCpuTime() - cpu0;
            long fakeCpu = childrenCpu() - fake0;
            ThreadCpu byThread = ThreadCpu.snapshot().minus(threadsBefore);
            System.out.println("    runtime: " + runtimeStats(codex));
            long expected = (long) Math.max(1, config.repeat()) * config.turns() * (config.deltas() + 3);
            return new Result(config, stats.delivered.get(), expected, List.copyOf(stats.failures), seconds, cpu, fakeCpu,
                    byThread, stats.percentile(0.5), stats.percentile(0.99), stats.max.get());
        }
    }

    /** The runtime's counters, when this codex4j has them (read reflectively: older versions do not). */
    private static String runtimeStats(Codex codex) {
        try {
            java.lang.reflect.Method m = Codex.class.getDeclaredMethod("connection");
            m.setAccessible(true);
            Object connection = m.invoke(codex);
            return String.valueOf(connection.getClass().getMethod("stats").invoke(connection));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "(no runtime counters in this version)";
        }
    }

    private static long childrenCpu() {
        long total = 0;
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            total += LoadHarness.Procfs.treeCpuNanos(h);
        }
        return total;
    }

    private static void runTurns(List<CodexThread> threads, Config config, Stats stats) throws InterruptedException {
        long spread = config.rate() == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / config.rate();
        long start = System.nanoTime();
        List<Thread> consumers = new ArrayList<>(threads.size());
        for (int i = 0; i < threads.size(); i++) {
            long due = start + spread * i / threads.size();
            CodexThread thread = threads.get(i);
            consumers.add(Thread.ofVirtual().start(() -> {
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                consume(thread, config, stats);
            }));
        }
        for (Thread c : consumers) {
            c.join();
        }
    }

    private static void consume(CodexThread thread, Config config, Stats stats) {
        long received = 0;
        String failure = null;
        try {
            TurnHandle turn = thread.turn("go");
            if (config.mode().equals("run")) {
                RunResult r = turn.run();
                received = config.deltas() + 3;
                failure = checkText(r.finalResponse().orElse(""), config.deltas());
            } else {
                int seq = 0;
                try (TurnEventStream events = turn.events()) {
                    for (TurnEvent e : events) {
                        received++;
                        if (e instanceof TurnEvent.AgentMessageDelta d) {
                            long now = System.nanoTime();
                            String text = d.delta();
                            int colon = text.indexOf(':');
                            int got = Integer.parseInt(text.substring(0, colon));
                            if (got != seq) {
                                failure = "delta " + got + " where " + seq + " was due";
                                break;
                            }
                            seq++;
                            stats.latency((now - Long.parseLong(text.substring(colon + 1, text.length() - 1))) / 1_000);
                        } else if (e instanceof TurnEvent.Completed c) {
                            if (seq != config.deltas()) {
                                failure = "completed after " + seq + " of " + config.deltas() + " deltas";
                            } else {
                                failure = checkText(c.result().finalResponse().orElse(""), config.deltas());
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e.toString();
        }
        stats.delivered.addAndGet(received);
        if (failure != null) {
            stats.failures.add(thread.id() + ": " + failure);
        }
    }

    /** @return null when the text is every delta once, in order */
    private static String checkText(String text, int deltas) {
        String[] parts = text.isEmpty() ? new String[0] : text.split(" ");
        if (parts.length != deltas) {
            return "final text has " + parts.length + " of " + deltas + " deltas";
        }
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].startsWith(i + ":")) {
                return "final text has " + parts[i] + " at " + i;
            }
        }
        return null;
    }

    /** Counters shared by the consumers of one run. */
    private static final class Stats {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLongArray histogram = new AtomicLongArray(MAX_LATENCY_US + 1);
        final AtomicLong max = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        void latency(long us) {
            histogram.incrementAndGet((int) Math.max(0, Math.min(MAX_LATENCY_US, us)));
            max.accumulateAndGet(us, Math::max);
        }

        long percentile(double q) {
            long total = 0;
            for (int i = 0; i < histogram.length(); i++) {
                total += histogram.get(i);
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < histogram.length(); i++) {
                seen += histogram.get(i);
                if (seen >= rank && seen > 0) {
                    return i;
                }
            }
            return 0;
        }
    }
}
