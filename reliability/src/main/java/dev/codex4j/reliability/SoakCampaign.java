package dev.codex4j.reliability;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A soak: a steady mix of work against testkit's fake app-server as child processes, for a long
 * time (30 minutes in the full form): turns consumed with {@code events()} and checked (sequence
 * numbers, whole text), turns with an approval, turns started and dropped without being consumed,
 * requests, and a client opened and closed every few seconds. The heap after a full GC, the SDK's
 * platform threads, the long-lived clients' threads, file descriptors and child processes are
 * sampled throughout; in a run of 5 minutes or more they must stay flat (the last sample against
 * the first, taken after a warm-up of a tenth of the run, at most 2 minutes), and nothing may be
 * left once the clients are closed.
 *
 * <pre>{@code
 * scripts/reliability soak --full          # 30 minutes
 * scripts/reliability soak --minutes=1
 * }</pre>
 */
public final class SoakCampaign {
    /** System property: the soak's length in minutes (overrides the form's). */
    public static final String MINUTES_PROPERTY = "codex4j.reliability.soakMinutes";
    /** Heap growth, first to last sample, within which the heap counts as flat. */
    static final long FLAT_HEAP_BYTES = 16L << 20;

    /** One sample. */
    record Sample(double atSeconds, long heap, int sdkPlatformThreads, int clientThreads, int fds, long children,
            long turns) {
        String describe() {
            return String.format(Locale.ROOT, "t=%.0f s: heap %s, SDK platform threads %d, threads of the long-lived"
                    + " clients %d, fds %d, children %d, turns so far %,d", atSeconds, MemoryCampaign.mib(heap),
                    sdkPlatformThreads, clientThreads, fds, children, turns);
        }
    }

    private SoakCampaign() {}

    /** @return the soak's length in the given form, in seconds */
    static double seconds(Size size) {
        String p = System.getProperty(MINUTES_PROPERTY);
        double minutes = p != null ? Double.parseDouble(p) : size == Size.FULL ? 30 : 0.25;
        return minutes * 60;
    }

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, seconds(size));
    }

    /** @return the campaign's report for a soak of this many seconds */
    public static Report run(Size size, double seconds) {
        Report report = new Report("soak", size);
        int deltas = 20;
        FakeAppServer.Script streaming = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/start", ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                        ScriptStep.pacedTurn(deltas, 2_000))
                .onRequest("config/read", ScriptStep.respondEmpty());
        FakeAppServer.Script approving = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/start", ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                        ScriptStep.commandApproval("ls"), ScriptStep.simpleTurn("approved"));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong turns = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong cycles = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        List<String> examples = new CopyOnWriteArrayList<>();
        List<Sample> samples = new ArrayList<>();
        ReentrantLock betweenCycles = new ReentrantLock();
        Probe before;
        Probe after;
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(streaming);
                FakeAppServerProcess fakeApprovals = FakeAppServer.childProcess(approving)) {
            // Warm up (classes, jars and the first sockets open descriptors that stay), then take the baseline.
            try (Codex warm = Codex.builder().launch(fake.launch()).build()) {
                TurnCheck.consume(warm.startThread().turn("warm up"), deltas, null);
            }
            before = Probe.settle(Probe.now(), 2_000);
            try (Codex main = Codex.builder().launch(fake.launch()).build();
                    Codex approvals = Codex.builder().launch(fakeApprovals.launch())
                            .approvalHandler(ApprovalHandler.acceptAll()).build();
                    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Connection mainConnection = Internals.connection(main);
                Connection approvalConnection = Internals.connection(approvals);
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(pool.submit(() -> loop(running, failures, examples, () -> {
                        CodexThread thread = main.startThread();
                        for (int k = 0; k < 20 && running.get(); k++) {
                            TurnCheck.Result r = TurnCheck.consume(thread.turn("soak"), deltas, null);
                            turns.incrementAndGet();
                            if (!r.whole()) {
                                throw new IllegalStateException("turn not whole: " + r.problem());
                            }
                        }
                    })));
                }
                workers.add(pool.submit(() -> loop(running, failures, examples, () -> {
                    RunResult r = approvals.startThread().run("needs an approval");
                    turns.incrementAndGet();
                    if (!r.finalResponse().equals(Optional.of("approved"))) {
                        throw new IllegalStateException("approval turn answered " + r.finalResponse());
                    }
                })));
                workers.add(pool.submit(() -> loop(running, failures, examples, () -> {
                    main.startThread().turn("dropped unconsumed"); // the handle is dropped at once
                    dropped.incrementAndGet();
                    KillCampaign.sleep(200);
                })));
                workers.add(pool.submit(() -> loop(running, failures, examples, () -> {
                    main.request("config/read", ProtocolCodec.emptyObject());
                    requests.incrementAndGet();
                    KillCampaign.sleep(20);
                })));
                workers.add(pool.submit(() -> loop(running, failures, examples, () -> {
                    // Held for the client's whole life, so that a sample sees it either not at all or closed.
                    betweenCycles.lock();
                    try (Codex extra = Codex.builder().launch(fake.launch()).build()) {
                        TurnCheck.Result r = TurnCheck.consume(extra.startThread().turn("cycle"), deltas, null);
                        if (!r.whole()) {
                            throw new IllegalStateException("turn of a short-lived client not whole: " + r.problem());
                        }
                    } finally {
                        betweenCycles.unlock();
                    }
                    cycles.incrementAndGet();
                    KillCampaign.sleep(1_000);
                })));
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                // About twenty samples; the first after a warm-up of a tenth of the run (at least 2 s, at
                // most 2 minutes: ended turns stay routed for one heldMessageTtl, 60 s, before the sweeper
                // forgets them, so the heap climbs for the first minute of steady load).
                long every = (long) Math.max(1e9, seconds * 1e9 / 20);
                long next = start + Math.min(120_000_000_000L, Math.max((long) (seconds * 1e8), 2_000_000_000L));
                while (System.nanoTime() < end) {
                    if (System.nanoTime() >= next) {
                        samples.add(sample(start, mainConnection, approvalConnection, turns.get(), betweenCycles));
                        next += every;
                    }
                    KillCampaign.sleep(100);
                }
                samples.add(sample(start, mainConnection, approvalConnection, turns.get(), betweenCycles));
                running.set(false);
                for (Future<?> f : workers) {
                    try {
                        f.get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        examples.add("a worker did not stop: " + e);
                    }
                }
            }
            after = Probe.settle(before, 10_000);
        }
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        Sample maxHeap = samples.stream().max(java.util.Comparator.comparingLong(Sample::heap)).orElseThrow();
        report.figure("length", String.format(Locale.ROOT, "%.1f min", seconds / 60));
        report.figure("turns", turns.get());
        report.figure("turns dropped unconsumed", dropped.get());
        report.figure("requests", requests.get());
        report.figure("short-lived clients opened and closed", cycles.get());
        report.figure("failures", failures.get());
        report.figure("first sample", first.describe());
        report.figure("last sample", last.describe());
        report.figure("largest heap sample", maxHeap.describe());
        report.figure("samples", samples.size());
        report.figure("heap after GC by sample, MiB", samples.stream()
                .map(x -> String.format(Locale.ROOT, "%.1f", x.heap() / 1048576.0)).toList());
        report.figure("SDK platform threads + threads of the long-lived clients by sample", samples.stream()
                .map(x -> x.sdkPlatformThreads() + "+" + x.clientThreads()).toList());
        report.figure("before the clients", before.describe());
        report.figure("after closing them", after.describe());
        report.failIf(failures.get() > 0, failures.get() + " failures, e.g. " + examples);
        report.failIf(after.sdkThreads() > before.sdkThreads() || after.children() > before.children()
                || after.fds() > before.fds(), "left after close: " + after.describe() + " (before: " + before.describe()
                        + ")");
        if (seconds >= 300) {
            report.failIf(last.heap() > first.heap() + FLAT_HEAP_BYTES, "the heap grew from "
                    + MemoryCampaign.mib(first.heap()) + " to " + MemoryCampaign.mib(last.heap()));
            report.failIf(last.sdkPlatformThreads() > first.sdkPlatformThreads()
                    || last.clientThreads() > first.clientThreads() + 20, "threads grew: " + first.describe() + " -> "
                    + last.describe());
        } else {
            report.note("under 5 minutes is too short to judge flatness (ended turns stay routed for a minute);"
                    + " first and last samples are reported only");
        }
        return report.done();
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Void loop(AtomicBoolean running, AtomicLong failures, List<String> examples, Step step) {
        while (running.get()) {
            try {
                step.run();
            } catch (Exception e) {
                failures.incrementAndGet();
                if (examples.size() < 5) {
                    examples.add(e.toString());
                }
            }
        }
        return null;
    }

    /** Samples between two short-lived clients, so that only the long-lived ones count. */
    private static Sample sample(long start, Connection main, Connection approvals, long turns, ReentrantLock quiet) {
        quiet.lock();
        try {
            long heap = Probe.heapAfterGc();
            Probe p = Probe.now();
            return new Sample((System.nanoTime() - start) / 1e9, heap, p.sdkThreads(),
                    main.liveThreads().size() + approvals.liveThreads().size(), p.fds(), p.children(), turns);
        } finally {
            quiet.unlock();
        }
    }
}
