package dev.codex4j.reliability;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.CodexThread;
import dev.codex4j.Decision;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Kills at random points: the app-server child gets {@code SIGKILL} during the handshake, in the
 * middle of streaming turns, while approval handlers wait for a person, and while requests are in
 * flight; against testkit's fake app-server as a child process and against the real pinned CLI
 * with the mock model. Every call waiting at that moment must fail with
 * {@link TransportClosedException} within 1 s (the target; the short form only asserts that none
 * hangs for 10 s), every blocked approval handler must be interrupted, and closing the client
 * afterwards must leave no process and no thread.
 *
 * <pre>{@code
 * KillCampaign.run(Size.SHORT).print(System.out);
 * }</pre>
 */
public final class KillCampaign {
    /** The target: a waiter fails this soon after the kill. */
    static final long TARGET_MS = 1_000;
    /** Past this a waiter counts as hung (a failure, not a missed target). */
    static final long HUNG_MS = 10_000;

    /**
     * The campaign's size.
     *
     * @param fakeRounds kill rounds per phase against the fake child
     * @param realRounds kill rounds per phase against the real CLI
     * @param turns concurrent turns per round (mid-turn and approval phases)
     * @param requests requests in flight per round
     */
    public record Config(int fakeRounds, int realRounds, int turns, int requests) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(20, 20, 3, 4) : new Config(2, 1, 2, 2);
        }
    }

    /** Where in the client's life the kill lands. */
    enum Phase { HANDSHAKE, MID_TURN, APPROVAL, REQUESTS }

    /** What the rounds against one kind of server found. */
    private static final class Tally {
        final String name;
        int kills;
        int waiters;
        int beforeKill;
        int hung;
        int handlersBlocked;
        int handlersInterrupted;
        final Map<String, Integer> untyped = new TreeMap<>();
        final Latencies failLatency = new Latencies();
        final Latencies handlerLatency = new Latencies();
        final Latencies closeLatency = new Latencies();
        int leakedThreads;
        int leakedProcesses;

        Tally(String name) {
            this.name = name;
        }
    }

    private KillCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size), new Random(0xC0DE4A11L));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config, Random random) {
        Report report = new Report("kills", size);
        Tally fake = new Tally("fake child");
        Tally real = new Tally("real CLI");
        runFake(config, random, fake);
        runReal(config, random, real);
        for (Tally t : List.of(fake, real)) {
            String p = t.name + ": ";
            report.figure(p + "kills", t.kills);
            report.figure(p + "waiters at the kill", t.waiters);
            report.figure(p + "calls done before the kill", t.beforeKill);
            report.figure(p + "failed with TransportClosedException", t.failLatency.count());
            report.figure(p + "kill to failure", t.failLatency.describe());
            report.figure(p + "blocked approval handlers interrupted", t.handlersInterrupted + "/" + t.handlersBlocked
                    + (t.handlerLatency.count() > 0 ? ", " + t.handlerLatency.describe() : ""));
            report.figure(p + "close after the kill", t.closeLatency.describe());
            report.failIf(t.hung > 0, p + t.hung + " waiters did not end within " + HUNG_MS + " ms of the kill");
            report.failIf(!t.untyped.isEmpty(), p + "waiters failed with other types than TransportClosedException: "
                    + t.untyped);
            report.failIf(t.handlersInterrupted < t.handlersBlocked, p + (t.handlersBlocked - t.handlersInterrupted)
                    + " blocked approval handlers were not interrupted");
            report.failIf(t.leakedThreads > 0, p + t.leakedThreads + " SDK threads alive after close");
            report.failIf(t.leakedProcesses > 0, p + t.leakedProcesses + " app-server processes alive after close");
            report.missIf(t.failLatency.maxMs() > TARGET_MS, String.format(Locale.ROOT,
                    "%s a waiter failed %.0f ms after the kill (target <= %d ms)", p, t.failLatency.maxMs(), TARGET_MS));
        }
        return report.done();
    }

    // ---------------------------------------------------------------- fake child

    private static void runFake(Config config, Random random, Tally tally) {
        ScriptStep turnStart = ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}"));
        FakeAppServer.Script silentHandshake = FakeAppServer.script().neverAnswer("initialize");
        FakeAppServer.Script streaming = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/start", turnStart, ScriptStep.pacedTurn(1_000_000, 200))
                .neverAnswer("model/list");
        FakeAppServer.Script approving = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/start", turnStart, ScriptStep.commandApproval("rm -rf /tmp/x"))
                .neverAnswer("model/list");
        FakeAppServer.Script silentRequests = FakeAppServer.script().concurrentHandlers()
                .neverAnswer("model/list").neverAnswer("thread/list").neverAnswer("config/read");
        try (FakeAppServerProcess hs = FakeAppServer.childProcess(silentHandshake);
                FakeAppServerProcess st = FakeAppServer.childProcess(streaming);
                FakeAppServerProcess ap = FakeAppServer.childProcess(approving);
                FakeAppServerProcess rq = FakeAppServer.childProcess(silentRequests)) {
            for (int round = 0; round < config.fakeRounds(); round++) {
                for (Phase phase : Phase.values()) {
                    FakeAppServerProcess proc = switch (phase) {
                        case HANDSHAKE -> hs;
                        case MID_TURN -> st;
                        case APPROVAL -> ap;
                        case REQUESTS -> rq;
                    };
                    Supplier<CodexBuilder> builder = () -> Codex.builder().launch(proc.launch());
                    round(phase, builder, config, random, tally, phase == Phase.HANDSHAKE ? 1_000 : 300);
                }
            }
        }
    }

    // ---------------------------------------------------------------- real CLI

    private static void runReal(Config config, Random random, Tally tally) {
        if (config.realRounds() == 0) {
            return;
        }
        try (OfflineCodex plain = OfflineCodex.start();
                OfflineCodex approving = OfflineCodex.builder().approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY).start()) {
            // A turn that streams for a long while: 5,000 deltas, 2 ms apart.
            plain.server().defaultReply(r -> ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(2)));
            approving.server().defaultReply(r -> r.isToolFollowUp() ? ModelReply.message("after the command")
                    : ModelReply.execCommandEscalated("echo killed-during-approval", "needs to leave the sandbox"));
            for (int round = 0; round < config.realRounds(); round++) {
                for (Phase phase : Phase.values()) {
                    OfflineCodex offline = phase == Phase.APPROVAL ? approving : plain;
                    Supplier<CodexBuilder> builder = () -> Codex.builder().launch(offline.launch());
                    // The real CLI answers the handshake in about 150 ms and requests in a few.
                    int maxDelay = switch (phase) {
                        case HANDSHAKE -> 200;
                        case REQUESTS -> 5;
                        default -> 300;
                    };
                    round(phase, builder, config, random, tally, maxDelay);
                }
            }
        }
    }

    // ---------------------------------------------------------------- one round

    private static void round(Phase phase, Supplier<CodexBuilder> builder, Config config, Random random, Tally tally,
            int maxDelayMs) {
        Set<Long> before = Children.snapshot();
        Waiters waiters = new Waiters();
        AtomicReference<@Nullable Codex> client = new AtomicReference<>();
        CountDownLatch handlersEntered = new CountDownLatch(phase == Phase.APPROVAL ? config.turns() : 0);
        AtomicInteger handlersInterrupted = new AtomicInteger();
        AtomicLong killAt = new AtomicLong();
        ProcessHandle child;
        if (phase == Phase.HANDSHAKE) {
            waiters.start("build", () -> client.set(builder.get().build()));
            child = Children.awaitNew(before, 30_000).orElseThrow(() -> new IllegalStateException("no child started"));
        } else {
            ApprovalHandler blocking = request -> {
                handlersEntered.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5)); // a person who never answers
                } catch (InterruptedException e) {
                    tally.handlerLatency.add(System.nanoTime() - killAt.get());
                    handlersInterrupted.incrementAndGet();
                }
                return Decision.decline();
            };
            Codex codex = builder.get().approvalHandler(blocking).build();
            client.set(codex);
            child = ProcessHandle.current().children().filter(h -> !before.contains(h.pid())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no child started"));
            switch (phase) {
                case MID_TURN, APPROVAL -> {
                    for (int i = 0; i < config.turns(); i++) {
                        CodexThread thread = codex.startThread();
                        if (i % 2 == 0) {
                            waiters.start("run", () -> thread.run("q"));
                        } else {
                            waiters.start("events", () -> {
                                try (TurnEventStream events = thread.turn("q").events()) {
                                    for (TurnEvent e : events) {
                                        // drain until the end
                                    }
                                }
                            });
                        }
                    }
                    for (int i = 0; i < config.requests(); i++) {
                        waiters.start("request", () -> codex.request("model/list", ProtocolCodec.emptyObject()));
                    }
                }
                case REQUESTS -> {
                    List<String> methods = List.of("model/list", "thread/list", "config/read");
                    int n = Math.max(config.requests(), 1) * 5;
                    for (int i = 0; i < n; i++) {
                        String m = methods.get(i % methods.size());
                        if (i % 2 == 0) {
                            waiters.start("request", () -> codex.request(m, ProtocolCodec.emptyObject()));
                        } else {
                            waiters.start("requestAsync", () -> Waiters.joined(() ->
                                    codex.requestAsync(m, ProtocolCodec.emptyObject()).join()));
                        }
                    }
                }
                case HANDSHAKE -> throw new AssertionError();
            }
            if (phase == Phase.APPROVAL) {
                await(handlersEntered, 30_000);
            }
        }
        sleep(random.nextInt(maxDelayMs + 1));
        killAt.set(System.nanoTime());
        Children.kill(child);
        tally.kills++;
        waiters.awaitAll(HUNG_MS);
        tally.hung += waiters.pending();
        for (Waiters.Outcome o : waiters.outcomes()) {
            if (o.error() == null || o.endNanos() < killAt.get()) {
                tally.beforeKill++; // answered, or ended otherwise, before the kill: not a waiter of it
                if (o.error() != null) {
                    tally.untyped.merge(o.what() + " before the kill: " + o.error(), 1, Integer::sum);
                }
                continue;
            }
            tally.waiters++;
            if (o.error() instanceof TransportClosedException) {
                tally.failLatency.add(o.after(killAt.get()));
            } else {
                tally.untyped.merge(o.what() + ": " + o.error().getClass().getSimpleName(), 1, Integer::sum);
            }
        }
        tally.waiters += waiters.pending();
        if (phase == Phase.APPROVAL) {
            tally.handlersBlocked += config.turns();
            // Handlers are interrupted as the connection fails; give them the same patience as waiters.
            Probe.await(() -> handlersInterrupted.get() >= config.turns(), HUNG_MS);
            tally.handlersInterrupted += handlersInterrupted.get();
        }
        Codex codex = client.get();
        if (codex != null) {
            long t = System.nanoTime();
            codex.close();
            tally.closeLatency.add(System.nanoTime() - t);
            tally.leakedThreads += Internals.connection(codex).liveThreads().size();
        }
        waiters.interruptPending();
        if (!Probe.await(() -> !child.isAlive(), 5_000)) {
            tally.leakedProcesses++;
        }
    }

    private static void await(CountDownLatch latch, long maxMillis) {
        try {
            if (!latch.await(maxMillis, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("approval handlers were not reached within " + maxMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
