package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.TurnOptions;
import dev.codex4j.errors.TurnTimeoutException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.ServerOverloadedException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * Overload and silence: calls against testkit's fake app-server as a child process that answers
 * "server overloaded" (-32001) forever, never answers, answers late but in time, starts turns and
 * then goes silent (its {@code turn/interrupt} too), or never answers the handshake; and, last, a
 * server that is frozen ({@code SIGSTOP}: it neither reads nor writes, so the client's writes fill
 * the pipe). Every call has a deadline (the client's request timeout, a turn's timeout, the
 * handshake timeout, each drawn at random from 200 to 1,000 ms). Targets: 0 hung calls, and every
 * call over by its deadline plus 250 ms.
 *
 * <pre>{@code
 * DeadlineCampaign.run(Size.FULL).print(System.out);   // about 2,000 calls
 * }</pre>
 */
public final class DeadlineCampaign {
    /** The target: a call ends this soon after its deadline. */
    static final long SLACK_MS = 250;
    /** Past its deadline by this much, a call counts as hung. */
    static final long HUNG_MS = 10_000;

    /**
     * The campaign's size.
     *
     * @param rounds clients (one fake child each), each with its own random timeouts
     * @param requests requests per round
     * @param turns turns with a timeout per round
     * @param builds clients built against a silent handshake per round
     * @param frozenRounds rounds against a frozen server
     */
    public record Config(int rounds, int requests, int turns, int builds, int frozenRounds) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(20, 84, 12, 2, 5) : new Config(2, 40, 6, 1, 1);
        }
    }

    /** What all rounds found. */
    private static final class Tally {
        int calls;
        int hung;
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, Integer> unexpected = new TreeMap<>();
        final Latencies overshoot = new Latencies();
        final Map<String, Latencies> overshootByKind = new TreeMap<>();
        final Latencies early = new Latencies();
        long worstOvershootNanos = Long.MIN_VALUE;
        String worst = "";
    }

    private DeadlineCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size), new Random(0xDEADL));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config, Random random) {
        Report report = new Report("deadlines", size);
        Tally overload = new Tally();
        Tally frozen = new Tally();
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers()
                .onRequest("thread/list", ScriptStep.overloaded())
                .neverAnswer("model/list")
                .onRequest("config/read", ScriptStep.delay(Duration.ofMillis(100)), ScriptStep.respondEmpty())
                .onRequest("turn/start", ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")))
                .neverAnswer("turn/interrupt");
        FakeAppServer.Script silentHandshake = FakeAppServer.script().neverAnswer("initialize");
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                FakeAppServerProcess silent = FakeAppServer.childProcess(silentHandshake)) {
            for (int round = 0; round < config.rounds(); round++) {
                overloadRound(fake, silent, config, random, overload);
            }
            for (int round = 0; round < config.frozenRounds(); round++) {
                frozenRound(fake, random, frozen);
            }
        }
        for (Tally t : List.of(overload, frozen)) {
            String p = t == overload ? "overload and silence: " : "frozen server (SIGSTOP): ";
            report.figure(p + "calls", t.calls);
            report.figure(p + "outcomes", t.outcomes);
            report.figure(p + "hung", t.hung);
            report.figure(p + "end past the deadline", t.overshoot.describe());
            t.overshootByKind.forEach((kind, l) -> report.figure(p + "  " + kind, l.describe()));
            report.figure(p + "timeouts before the deadline", t.early.count());
            report.failIf(t.hung > 0, p + t.hung + " calls did not end within " + HUNG_MS + " ms of their deadline");
            report.failIf(!t.unexpected.isEmpty(), p + "unexpected outcomes: " + t.unexpected);
            report.failIf(t.early.count() > 0, p + t.early.count() + " calls timed out before their deadline");
            report.missIf(t.overshoot.maxMs() > SLACK_MS, String.format(Locale.ROOT,
                    "%sa call ended %.0f ms past its deadline (target <= %d ms): %s", p, t.overshoot.maxMs(), SLACK_MS,
                    t.worst));
        }
        return report.done();
    }

    private static void overloadRound(FakeAppServerProcess fake, FakeAppServerProcess silent, Config config,
            Random random, Tally tally) {
        long timeout = 200 + random.nextInt(801);
        try (Codex codex = Codex.builder().launch(fake.launch()).requestTimeout(Duration.ofMillis(timeout))
                .overloadRetry(5, Duration.ofMillis(50), Duration.ofSeconds(2)).build()) {
            Waiters w = new Waiters();
            for (int i = 0; i < config.requests(); i++) {
                switch (i % 4) {
                    case 0 -> w.start("overloaded", () -> codex.request("thread/list", ProtocolCodec.emptyObject()));
                    case 1 -> w.start("unanswered", () -> codex.request("model/list", ProtocolCodec.emptyObject()));
                    case 2 -> w.start("unanswered async", () -> Waiters.joined(() ->
                            codex.requestAsync("model/list", ProtocolCodec.emptyObject()).join()));
                    default -> w.start("answered late", () -> codex.request("config/read", ProtocolCodec.emptyObject()));
                }
            }
            long[] turnTimeouts = new long[config.turns()];
            for (int i = 0; i < config.turns(); i++) {
                long t = 200 + random.nextInt(801);
                turnTimeouts[i] = t;
                CodexThread thread = codex.startThread();
                w.start("turn:" + t, () -> thread.run("q", TurnOptions.builder().timeout(Duration.ofMillis(t)).build()));
            }
            for (int i = 0; i < config.builds(); i++) {
                long t = 200 + random.nextInt(801);
                w.start("handshake:" + t, () -> Codex.builder().launch(silent.launch())
                        .handshakeTimeout(Duration.ofMillis(t)).build().close());
            }
            w.awaitAll(1_000 + HUNG_MS);
            tally(w, timeout, tally);
        }
    }

    /**
     * A server that neither reads nor writes: the client's first big request fills the pipe, and
     * every later write waits behind it. Every call must still end at its deadline.
     */
    private static void frozenRound(FakeAppServerProcess fake, Random random, Tally tally) {
        long timeout = 200 + random.nextInt(801);
        Set<Long> before = Children.snapshot();
        Codex codex = Codex.builder().launch(fake.launch()).requestTimeout(Duration.ofMillis(timeout))
                .closeTimeout(Duration.ofSeconds(1)).build();
        ProcessHandle child = ProcessHandle.current().children().filter(h -> !before.contains(h.pid())).findFirst()
                .orElseThrow();
        try {
            CodexThread thread = codex.startThread();
            Children.signal(child, "STOP");
            Waiters w = new Waiters();
            ObjectNode big = ProtocolCodec.emptyObject().put("filler", "x".repeat(256 * 1024));
            for (int i = 0; i < 6; i++) {
                w.start("big request", () -> codex.request("model/list", big));
                w.start("request", () -> codex.request("model/list", ProtocolCodec.emptyObject()));
                w.start("request async", () -> Waiters.joined(() ->
                        codex.requestAsync("model/list", ProtocolCodec.emptyObject()).join()));
            }
            w.start("turn:" + timeout, () -> thread.run("q", TurnOptions.builder().timeout(Duration.ofMillis(timeout))
                    .build()));
            w.awaitAll(1_000 + HUNG_MS);
            tally(w, timeout, tally);
        } finally {
            long start = System.nanoTime();
            codex.close(); // kills the frozen child after its close timeout
            tally.outcomes.merge(String.format(Locale.ROOT, "close() took %.1f s", (System.nanoTime() - start) / 1e9), 1,
                    Integer::sum);
        }
    }

    private static void tally(Waiters w, long requestTimeout, Tally tally) {
        tally.calls += w.started();
        tally.hung += w.pending();
        for (Waiters.Outcome o : w.outcomes()) {
            String what = o.what();
            long deadlineMs = what.contains(":") ? Long.parseLong(what.substring(what.indexOf(':') + 1)) : requestTimeout;
            String kind = what.contains(":") ? what.substring(0, what.indexOf(':')) : what;
            Throwable e = o.error();
            String outcome = kind + " -> " + (e == null ? "result" : e.getClass().getSimpleName());
            tally.outcomes.merge(outcome, 1, Integer::sum);
            boolean expected = switch (kind) {
                case "overloaded" -> e instanceof ServerOverloadedException || e instanceof RequestTimeoutException;
                case "unanswered", "unanswered async", "big request", "request", "request async" ->
                        e instanceof RequestTimeoutException;
                case "answered late" -> e == null || e instanceof RequestTimeoutException;
                case "turn" -> e instanceof TurnTimeoutException || e instanceof RequestTimeoutException;
                case "handshake" -> e instanceof RequestTimeoutException;
                default -> false;
            };
            if (!expected) {
                tally.unexpected.merge(outcome + (e == null ? "" : " (" + e.getMessage() + ")"), 1, Integer::sum);
            }
            long took = o.endNanos() - o.startNanos();
            long over = took - deadlineMs * 1_000_000L;
            boolean timedOut = e instanceof RequestTimeoutException || e instanceof TurnTimeoutException;
            if (timedOut && over < -5_000_000L) {
                tally.early.add(-over);
            }
            if (e == null || e instanceof TransportClosedException) {
                continue;
            }
            tally.overshoot.add(Math.max(0, over));
            tally.overshootByKind.computeIfAbsent(kind, k -> new Latencies()).add(Math.max(0, over));
            if (over > tally.worstOvershootNanos) {
                tally.worstOvershootNanos = over;
                tally.worst = outcome + " with a " + deadlineMs + " ms deadline";
            }
        }
        w.interruptPending();
    }

}
