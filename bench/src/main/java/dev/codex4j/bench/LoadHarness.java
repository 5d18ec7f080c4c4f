package dev.codex4j.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.StdioTransport;
import dev.codex4j.internal.runtime.TurnMailbox;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The load harness: the runtime ({@link Connection} over {@link StdioTransport}, one
 * {@link TurnMailbox} and one virtual-thread consumer per turn, each consumer decoding and folding
 * with the SDK's fold) against testkit's {@link FakeAppServer} in a child process, over a real
 * pipe. Four scenarios:
 *
 * <ul>
 *   <li>{@code throughput}: {@code threads} x {@code turnsPerThread} concurrent turns of
 *       {@code deltas} deltas (plus a 2 KB {@code item/completed} every 50) written as fast as the
 *       pipe takes them: notifications per second, emit-to-consumer latency, CPU per notification;
 *   <li>{@code scale}: {@code scaleTurns} concurrent turns on one connection (one thread each);
 *   <li>{@code latency}: turns started at a steady rate of {@code rate} notifications per second
 *       for {@code seconds}: emit-to-consumer latency under a load the pipeline can sustain;
 *   <li>{@code idle}: retained heap per idle open turn ({@code idleTurns} claimed mailboxes).
 * </ul>
 *
 * <p>Every scenario that delivers checks that each turn got every notification exactly once and
 * in order; {@link #main} exits with status 1 when one did not. Timing targets are reported, never
 * enforced. Latencies use the fake's {@code emittedAtMs} stamp, so they have a resolution of 1 ms.
 *
 * <pre>{@code
 * scripts/load                                   # all scenarios, full size
 * scripts/load --scenario=latency --rate=50000   # one scenario, other numbers
 * }</pre>
 */
public final class LoadHarness {
    private static final String[] WORDS = {"The ", "quick ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "};
    private static final int COMPLETED_EVERY = 50;
    private static final int COMPLETED_BYTES = 2048;
    private static final int MAX_LATENCY_MS = 60_000;

    /**
     * The harness's numbers.
     *
     * @param scenarios which scenarios to run
     * @param threads app-server threads of the throughput scenario
     * @param turnsPerThread turns per thread of the throughput scenario
     * @param deltas deltas per turn of the throughput scenario
     * @param scaleTurns concurrent turns of the scale scenario
     * @param scaleDeltas deltas per turn of the scale scenario
     * @param rate notifications per second of the latency scenario
     * @param seconds duration of the latency scenario
     * @param idleTurns open turns of the idle scenario
     */
    public record Config(List<String> scenarios, int threads, int turnsPerThread, int deltas, int scaleTurns,
            int scaleDeltas, int rate, int seconds, int idleTurns) {

        /** @return the full-size run */
        public static Config full() {
            return new Config(List.of("throughput", "scale", "latency", "idle"), 100, 1, 5_000, 10_000, 50,
                    100_000, 5, 10_000);
        }

        /** @return a run of a few seconds, for CI */
        public static Config smoke() {
            return new Config(List.of("throughput", "scale", "latency", "idle"), 4, 2, 500, 300, 20, 10_000, 1,
                    500);
        }

        static Config parse(String[] args) {
            Config c = full();
            Map<String, String> a = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("--smoke")) {
                    c = smoke();
                    continue;
                }
                int eq = arg.indexOf('=');
                if (!arg.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("expected --name=value or --smoke, got " + arg);
                }
                a.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
            return new Config(
                    a.containsKey("scenario") ? List.of(a.remove("scenario").split(",")) : c.scenarios,
                    intArg(a, "threads", c.threads), intArg(a, "turnsPerThread", c.turnsPerThread),
                    intArg(a, "deltas", c.deltas), intArg(a, "scaleTurns", c.scaleTurns),
                    intArg(a, "scaleDeltas", c.scaleDeltas), intArg(a, "rate", c.rate),
                    intArg(a, "seconds", c.seconds), intArg(a, "idleTurns", c.idleTurns));
        }

        private static int intArg(Map<String, String> a, String name, int fallback) {
            String v = a.get(name);
            return v == null ? fallback : Integer.parseInt(v);
        }
    }

    /**
     * What one scenario measured.
     *
     * @param name the scenario
     * @param turns turns run
     * @param expected notifications the fake wrote
     * @param delivered notifications consumers received
     * @param failures turns that missed, repeated or reordered a notification (with why)
     * @param seconds wall time from the request that started the emission to the last turn's end
     * @param p50Ms median emit-to-consumer latency
     * @param p99Ms 99th percentile latency
     * @param maxMs largest latency
     * @param cpuNanosPerNotification this JVM's CPU time per notification
     * @param childCpuNanosPerNotification the fake's CPU time per notification
     * @param bytesPerIdleTurn retained heap per idle open turn (idle scenario)
     */
    public record Result(String name, long turns, long expected, long delivered, List<String> failures,
            double seconds, long p50Ms, long p99Ms, long maxMs, double cpuNanosPerNotification,
            double childCpuNanosPerNotification, double bytesPerIdleTurn) {

        /** @return notifications delivered per second */
        public double perSecond() {
            return seconds > 0 ? delivered / seconds : 0;
        }

        /** @return whether every turn got every notification once, in order */
        public boolean complete() {
            return failures.isEmpty() && delivered == expected;
        }

        String describe() {
            if (name.equals("idle")) {
                return String.format(Locale.ROOT, "%-10s %,d idle open turns: %.0f bytes retained per turn%n", name,
                        turns, bytesPerIdleTurn);
            }
            return String.format(Locale.ROOT,
                    "%-10s %,d turns, %,d/%,d notifications delivered in %.2f s = %,.0f/s;"
                            + " latency p50 %d ms, p99 %d ms, max %d ms; CPU per notification: ours %.0f ns,"
                            + " fake app-server %.0f ns; %s%n",
                    name, turns, delivered, expected, seconds, perSecond(), p50Ms, p99Ms, maxMs,
                    cpuNanosPerNotification, childCpuNanosPerNotification,
                    complete() ? "all complete, exactly once, in order"
                            : failures.size() + " turns FAILED, e.g. " + failures.subList(0, Math.min(3, failures.size())));
        }
    }

    private LoadHarness() {}

    /**
     * Runs the harness and prints one line per scenario.
     *
     * @param args {@code --smoke}, {@code --scenario=throughput,scale,latency,idle}, and any
     *     {@link Config} component as {@code --name=value}
     */
    public static void main(String[] args) throws Exception {
        Config config = Config.parse(args);
        System.out.printf(Locale.ROOT, "codex4j load harness: %d cores, Java %s (%s), %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), config);
        boolean ok = true;
        for (Result r : run(config)) {
            System.out.print(r.describe());
            ok &= r.complete() || r.name().equals("idle");
        }
        System.exit(ok ? 0 : 1);
    }

    /**
     * Runs the configured scenarios.
     *
     * @return one result per scenario
     */
    public static List<Result> run(Config config) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String s : config.scenarios()) {
            results.add(switch (s) {
                case "throughput" -> burst("throughput", config.threads(), config.turnsPerThread(), config.deltas());
                case "scale" -> burst("scale", config.scaleTurns(), 1, config.scaleDeltas());
                case "latency" -> paced(config.rate(), config.seconds());
                case "idle" -> idle(config.idleTurns());
                default -> throw new IllegalArgumentException("unknown scenario " + s);
            });
        }
        return results;
    }

    // ---------------------------------------------------------------- scenarios

    private static Result burst(String name, int threads, int turnsPerThread, int deltas) throws Exception {
        ScriptStep.Burst step = new ScriptStep.Burst(threads, turnsPerThread, deltas, COMPLETED_EVERY, COMPLETED_BYTES);
        FakeAppServer.Script script = FakeAppServer.script().onRequest("bench/burst", ScriptStep.respondEmpty(), step);
        try (Session session = Session.open(script)) {
            Stats stats = new Stats();
            List<Thread> consumers = new ArrayList<>();
            for (int k = 0; k < turnsPerThread; k++) {
                for (int t = 0; t < threads; t++) {
                    String turnId = "burst-turn-" + t + "-" + k;
                    TurnMailbox box = session.connection.turnMailbox("burst-thread-" + t, turnId);
                    consumers.add(Thread.ofVirtual().unstarted(() -> consume(box, deltas, stats)));
                }
            }
            consumers.forEach(Thread::start);
            Cpu before = session.cpu();
            long start = System.nanoTime();
            session.connection.request("bench/burst", ProtocolCodec.emptyObject());
            for (Thread c : consumers) {
                c.join();
            }
            long elapsed = System.nanoTime() - start;
            Cpu used = session.cpu().minus(before);
            return stats.result(name, consumers.size(), step.lineCount(), elapsed, used);
        }
    }

    private static Result paced(int rate, int seconds) throws Exception {
        int deltas = 96; // with an item/completed every 50: 2 + 96 + 1 = 99 lines per turn
        int linesPerTurn = 2 + deltas + deltas / COMPLETED_EVERY;
        FakeAppServer.Script script = FakeAppServer.script().onRequest("bench/tick", ScriptStep.respondEmpty(),
                new ScriptStep.Burst(1, 1, deltas, COMPLETED_EVERY, COMPLETED_BYTES));
        try (Session session = Session.open(script)) {
            Stats stats = new Stats();
            int turns = Math.max(1, (int) ((long) rate * seconds / linesPerTurn));
            long interval = TimeUnit.SECONDS.toNanos(1) * linesPerTurn / rate;
            List<Thread> consumers = new ArrayList<>(turns);
            Cpu before = session.cpu();
            long start = System.nanoTime();
            for (int i = 0; i < turns; i++) {
                long due = start + i * interval;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                String threadId = "rate-thread-" + i;
                String turnId = "rate-turn-" + i;
                TurnMailbox box = session.connection.turnMailbox(threadId, turnId);
                consumers.add(Thread.ofVirtual().start(() -> consume(box, deltas, stats)));
                ObjectNode p = ProtocolCodec.mapper().createObjectNode();
                p.put("threadId", threadId);
                p.put("turnId", turnId);
                session.connection.request("bench/tick", p);
            }
            for (Thread c : consumers) {
                c.join();
            }
            long elapsed = System.nanoTime() - start;
            Cpu used = session.cpu().minus(before);
            return stats.result("latency", turns, (long) turns * linesPerTurn, elapsed, used);
        }
    }

    private static Result idle(int turns) throws Exception {
        try (Session session = Session.open(FakeAppServer.script())) {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            // Warm the path once so that class loading and first-use caches are not counted.
            session.connection.turnMailbox("warm-thread", "warm-turn").close();
            long before = settledHeap(memory);
            TurnMailbox[] open = new TurnMailbox[turns];
            for (int i = 0; i < turns; i++) {
                open[i] = session.connection.turnMailbox("idle-thread-" + i, "idle-turn-" + i);
            }
            long after = settledHeap(memory);
            double perTurn = (double) (after - before) / turns;
            for (TurnMailbox box : open) {
                box.close();
            }
            return new Result("idle", turns, 0, 0, List.of(), 0, 0, 0, 0, 0, 0, perTurn);
        }
    }

    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50); // lets a concurrent collector finish its cycle before we read the pools
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ---------------------------------------------------------------- consumer

    /** One turn's consumer: takes, stamps the latency, checks the order, decodes and folds. */
    private static void consume(TurnMailbox box, int deltas, Stats stats) {
        String turnId = box.turnId();
        BenchFold fold = new BenchFold(turnId);
        int position = 0; // 0: turn/started; then deltas and completed items; then turn/completed
        int delta = 0;
        int item = 0;
        long received = 0;
        String failure = null;
        try (box) {
            while (true) {
                Inbound in = box.take(Duration.ofSeconds(60));
                if (in == null) {
                    failure = "stalled after " + received + " notifications";
                    break;
                }
                long now = System.currentTimeMillis();
                received++;
                JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
                if (n.emittedAtMs() != null) {
                    stats.latency(now - n.emittedAtMs().longValue());
                }
                JsonNode p = n.params();
                String expected;
                if (position == 0) {
                    expected = "turn/started";
                } else if (delta == deltas && (deltas % COMPLETED_EVERY != 0 || item == deltas / COMPLETED_EVERY)) {
                    expected = "turn/completed";
                } else if (delta > 0 && delta % COMPLETED_EVERY == 0 && item < delta / COMPLETED_EVERY) {
                    expected = "item/completed";
                } else {
                    expected = "item/agentMessage/delta";
                }
                position++;
                if (!expected.equals(n.method())) {
                    failure = "notification " + received + " was " + n.method() + ", expected " + expected;
                    break;
                }
                String itemId = "msg-" + turnId + "-" + item;
                if (expected.equals("item/agentMessage/delta")) {
                    if (!itemId.equals(p.path("itemId").asString()) || !WORDS[delta % WORDS.length].equals(p.path("delta").asString())) {
                        failure = "delta " + delta + " out of order: " + p;
                        break;
                    }
                    delta++;
                } else if (expected.equals("item/completed")) {
                    if (!itemId.equals(p.path("item").path("id").asString())) {
                        failure = "item " + item + " out of order: " + p.path("item").path("id");
                        break;
                    }
                    item++;
                }
                if (fold.accept(in)) { // as a turn's consumer folds: deltas as read by the dispatcher, the rest bound from the bytes
                    if (fold.result() == null || fold.result().items().size() != item) {
                        failure = "the fold lost items: " + fold.result();
                    }
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            failure = e.toString();
        }
        stats.delivered.addAndGet(received);
        if (failure != null) {
            stats.failures.add(turnId + ": " + failure);
        }
    }

    // ---------------------------------------------------------------- plumbing

    /** Counters shared by the consumers of one scenario. */
    private static final class Stats {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLongArray histogram = new AtomicLongArray(MAX_LATENCY_MS + 1);
        final AtomicLong max = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        void latency(long ms) {
            long clamped = Math.max(0, Math.min(MAX_LATENCY_MS, ms));
            histogram.incrementAndGet((int) clamped);
            max.accumulateAndGet(ms, Math::max);
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

        Result result(String name, long turns, long expected, long elapsedNanos, Cpu cpu) {
            long n = Math.max(1, delivered.get());
            return new Result(name, turns, expected, delivered.get(), List.copyOf(failures), elapsedNanos / 1e9,
                    percentile(0.50), percentile(0.99), max.get(), (double) cpu.ours / n, (double) cpu.child / n, 0);
        }
    }

    /** CPU time in nanoseconds: this JVM, and the app-server child process tree. */
    record Cpu(long ours, long child) {
        Cpu minus(Cpu o) {
            return new Cpu(ours - o.ours, child - o.child);
        }
    }

    /** A connection to a fresh fake app-server child process, initialized. */
    private static final class Session implements AutoCloseable {
        final FakeAppServerProcess fake;
        final StdioTransport transport;
        final Connection connection;

        private Session(FakeAppServerProcess fake, StdioTransport transport, Connection connection) {
            this.fake = fake;
            this.transport = transport;
            this.connection = connection;
        }

        static Session open(FakeAppServer.Script script) {
            FakeAppServerProcess fake = FakeAppServer.childProcess(script);
            StdioTransport transport = StdioTransport.start(fake.launch(), Duration.ofSeconds(5));
            Connection connection = Connection.open(transport, ConnectionOptions.defaults());
            Session s = new Session(fake, transport, connection);
            try {
                ObjectNode p = ProtocolCodec.mapper().createObjectNode();
                p.putObject("clientInfo").put("name", "codex4j-load").put("version", "0");
                connection.request("initialize", p).get(60, TimeUnit.SECONDS);
                connection.notify("initialized", ProtocolCodec.emptyObject());
            } catch (Exception e) {
                s.close();
                throw new IllegalStateException("the fake app-server did not initialize: " + e, e);
            }
            return s;
        }

        Cpu cpu() {
            long ours = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            return new Cpu(ours, Procfs.treeCpuNanos(transport.processHandle()));
        }

        @Override
        public void close() {
            connection.close();
            fake.close();
        }
    }

    /** CPU times of other processes, from /proc (Linux). */
    static final class Procfs {
        /** USER_HZ: 100 on every Linux we run on (sysconf(_SC_CLK_TCK)). */
        private static final long NANOS_PER_TICK = 10_000_000L;

        private Procfs() {}

        /** @return user + system CPU of a process and its live descendants, or 0 where /proc is missing */
        static long treeCpuNanos(ProcessHandle root) {
            long total = cpuNanos(root.pid());
            for (ProcessHandle h : root.descendants().toList()) {
                total += cpuNanos(h.pid());
            }
            return total;
        }

        static long cpuNanos(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // Fields after the command (which may hold spaces) start after the last ')'.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }
}
