package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.ListenAddress;
import dev.codex4j.Supervision;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kill loops under supervision on the socket transports: a supervised client whose app-server (the
 * real pinned CLI, testkit's mock model) is a child listening on a loopback WebSocket port or on a
 * unix socket ({@code listen(...)}), with workers running short turns and requests in loops; the
 * child gets {@code SIGKILL} at a random moment, again and again. Every call in flight at the kill
 * must fail with {@link ServerLostException} within 1 s (the target), and the client must come back
 * for the next round. Counts what failed with another type (a failure), what hung, the restarts,
 * and the latency from the kill to each waiter's failure.
 *
 * <pre>{@code
 * SocketKillCampaign.run(Size.SHORT).print(System.out);
 * }</pre>
 */
public final class SocketKillCampaign {
    static final long TARGET_MS = 1_000;
    static final long HUNG_MS = 10_000;

    /**
     * @param kills kills per transport
     * @param turnWorkers workers running one short turn after another
     * @param requestWorkers workers sending one request after another
     */
    public record Config(int kills, int turnWorkers, int requestWorkers) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(100, 8, 2) : new Config(4, 4, 1);
        }
    }

    private static final class Tally {
        int kills;
        int restarts;
        int waiters;
        int retrySafe;
        int hung;
        int calls;
        int startedAfterKill;
        final Map<String, Integer> untyped = new TreeMap<>();
        final Latencies failLatency = new Latencies();
        final Latencies restartLatency = new Latencies();
        int leakedProcesses;
        int leakedThreads;
    }

    private record Outcome(long start, long end, Throwable error) {}

    private SocketKillCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size), new Random(0x50C4E7L));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config, Random random) {
        Report report = new Report("socket-kills", size);
        report.figure("load", config.turnWorkers() + " turn loops + " + config.requestWorkers()
                + " request loops per client; load average before " + Probe.loadAverage());
        for (String kind : List.of("ws", "unix")) {
            Tally t = new Tally();
            loop(kind, config, random, t);
            String p = kind + ": ";
            report.figure(p + "kills", t.kills);
            report.figure(p + "restarts", t.restarts);
            report.figure(p + "calls", t.calls);
            report.figure(p + "waiters at the kill", t.waiters);
            report.figure(p + "failed with ServerLostException", t.failLatency.count() + " (retry-safe " + t.retrySafe + ")");
            report.figure(p + "kill to failure", t.failLatency.describe());
            report.figure(p + "kill to restart", t.restartLatency.describe());
            report.figure(p + "calls started after the kill (waited for the restart)", t.startedAfterKill);
            report.failIf(t.hung > 0, p + t.hung + " waiters did not end within " + HUNG_MS + " ms of the kill");
            report.failIf(!t.untyped.isEmpty(), p + "waiters failed with other types than ServerLostException: " + t.untyped);
            report.failIf(t.restarts < t.kills, p + "only " + t.restarts + " restarts after " + t.kills + " kills");
            report.failIf(t.leakedProcesses > 0, p + t.leakedProcesses + " app-server processes alive after close");
            report.failIf(t.leakedThreads > 0, p + t.leakedThreads + " SDK threads alive after close");
            report.missIf(t.failLatency.maxMs() > TARGET_MS, String.format(Locale.ROOT,
                    "%sa waiter failed %.0f ms after the kill (target <= %d ms)", p, t.failLatency.maxMs(), TARGET_MS));
        }
        report.figure("load average after", Probe.loadAverage());
        return report.done();
    }

    private static void loop(String kind, Config config, Random random, Tally tally) {
        List<ProcessHandle> seen = new ArrayList<>();
        try (OfflineCodex offline = OfflineCodex.start()) {
            // Short turns: a few deltas, a few ms apart, so that kills land in every phase of a turn.
            offline.server().defaultReply(r -> ModelReply.message("ok").deltas(5).eventDelay(Duration.ofMillis(5)));
            ListenAddress address = kind.equals("ws") ? ListenAddress.webSocket() : ListenAddress.unixSocket();
            Supervision supervision = Supervision.builder().initialBackoff(Duration.ofMillis(20))
                    .maxBackoff(Duration.ofMillis(200)).maxRestarts(config.kills() + 10, Duration.ofHours(1)).build();
            try (Codex codex = Codex.builder().launch(offline.launch()).listen(address).supervise(supervision).build()) {
                for (int round = 0; round < config.kills(); round++) {
                    if (!Probe.await(codex::isConnected, 30_000)) {
                        tally.untyped.merge("the client did not reconnect within 30 s", 1, Integer::sum);
                        break;
                    }
                    round(codex, config, random, tally, seen);
                }
            }
            tally.leakedThreads += Probe.sdkThreadNames().size() > 0
                    && !Probe.await(() -> Probe.sdkThreadNames().isEmpty(), 5_000) ? Probe.sdkThreadNames().size() : 0;
        }
        for (ProcessHandle h : seen) {
            if (!Probe.await(() -> !h.isAlive(), 5_000)) {
                tally.leakedProcesses++;
            }
        }
    }

    private static void round(Codex codex, Config config, Random random, Tally tally, List<ProcessHandle> seen) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger();
        ConcurrentLinkedQueue<Outcome> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger calls = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        int n = config.turnWorkers() + config.requestWorkers();
        for (int i = 0; i < n; i++) {
            boolean turns = i < config.turnWorkers();
            running.incrementAndGet();
            workers.add(Thread.ofVirtual().name("reliability-worker").start(() -> {
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        try {
                            if (turns) {
                                codex.startThread().run("q");
                            } else {
                                codex.request("model/list", ProtocolCodec.emptyObject());
                            }
                            calls.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add(new Outcome(s, System.nanoTime(), e));
                            calls.incrementAndGet();
                            return;
                        }
                    }
                } finally {
                    running.decrementAndGet();
                }
            }));
        }
        KillCampaign.sleep(150 + random.nextInt(350));
        List<ProcessHandle> children = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().orElse("").contains("codex")).toList();
        seen.addAll(children);
        long killAt = System.nanoTime();
        stop.set(true);
        children.forEach(ProcessHandle::destroyForcibly);
        tally.kills++;
        int restartsBefore = codex.restarts();
        if (!Probe.await(() -> running.get() == 0, HUNG_MS)) {
            tally.hung += running.get();
            workers.forEach(Thread::interrupt);
        }
        tally.calls += calls.get();
        for (Outcome o : failures) {
            if (o.start() > killAt) {
                tally.startedAfterKill++;
                if (!(o.error() instanceof ServerLostException)) {
                    tally.untyped.merge("after the kill: " + describe(o.error()), 1, Integer::sum);
                }
                continue;
            }
            if (o.end() < killAt) {
                tally.untyped.merge("before the kill: " + describe(o.error()), 1, Integer::sum);
                continue;
            }
            tally.waiters++;
            if (o.error() instanceof ServerLostException l) {
                tally.failLatency.add(o.end() - killAt);
                if (l.retrySafe()) {
                    tally.retrySafe++;
                }
            } else {
                tally.untyped.merge(describe(o.error()), 1, Integer::sum);
            }
        }
        if (Probe.await(() -> codex.restarts() > restartsBefore && codex.isConnected(), 30_000)) {
            tally.restarts++;
            tally.restartLatency.add(System.nanoTime() - killAt);
        }
    }

    private static String describe(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + " (" + (m.length() > 80 ? m.substring(0, 80) + "..." : m) + ")";
    }
}
