package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns with sequence-numbered deltas: many threads run turns back to back, concurrently, over one
 * client, against testkit's fake app-server as a child process (a real pipe); each turn streams
 * deltas {@code "<seq>:<nanoTime> "} ({@code ScriptStep.pacedTurn}, as fast as the pipe takes them)
 * and is consumed through {@code events()}. Targets: 0 deltas lost, 0 duplicated, 0 reordered, every
 * final answer whole.
 *
 * <pre>{@code
 * SequenceCampaign.run(Size.FULL).print(System.out);   // 10,000 turns
 * }</pre>
 */
public final class SequenceCampaign {
    /**
     * The campaign's size.
     *
     * @param threads threads with turns running concurrently
     * @param turnsPerThread turns each thread runs, one after the other
     * @param deltas deltas per turn
     */
    public record Config(int threads, int turnsPerThread, int deltas) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(50, 200, 50) : new Config(10, 40, 20);
        }
    }

    private SequenceCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config) {
        Report report = new Report("sequence", size);
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.pacedTurn(config.deltas(), 0));
        AtomicLong turns = new AtomicLong();
        AtomicLong deltas = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        AtomicLong duplicated = new AtomicLong();
        AtomicLong reordered = new AtomicLong();
        AtomicLong broken = new AtomicLong();
        List<String> examples = java.util.Collections.synchronizedList(new ArrayList<>());
        Latencies latency = new Latencies();
        long start;
        long elapsed;
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(fake.launch()).build();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < config.threads(); t++) {
                running.add(pool.submit(() -> {
                    CodexThread thread = codex.startThread();
                    for (int k = 0; k < config.turnsPerThread(); k++) {
                        TurnCheck.Result r = TurnCheck.consume(thread.turn("turn " + k), config.deltas(), latency);
                        turns.incrementAndGet();
                        deltas.addAndGet(r.deltas());
                        lost.addAndGet(r.lost());
                        duplicated.addAndGet(r.duplicated());
                        reordered.addAndGet(r.reordered());
                        if (!r.whole()) {
                            broken.incrementAndGet();
                            if (examples.size() < 3) {
                                examples.add(r.problem());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get(30, TimeUnit.MINUTES);
                } catch (Exception e) {
                    report.failIf(true, "a thread's turns failed: " + e);
                }
            }
            elapsed = System.nanoTime() - start;
        }
        report.figure("turns", turns.get());
        report.figure("deltas received", deltas.get());
        report.figure("lost", lost.get());
        report.figure("duplicated", duplicated.get());
        report.figure("reordered", reordered.get());
        report.figure("turns not whole (text, status or error)", broken.get());
        report.figure("deltas per second", String.format(Locale.ROOT, "%,.0f", deltas.get() / (elapsed / 1e9)));
        report.figure("emit to consumer", latency.describe());
        long expectedTurns = (long) config.threads() * config.turnsPerThread();
        report.failIf(turns.get() != expectedTurns, turns.get() + " of " + expectedTurns + " turns ran");
        report.failIf(lost.get() + duplicated.get() + reordered.get() > 0, lost.get() + " lost, " + duplicated.get()
                + " duplicated, " + reordered.get() + " reordered deltas");
        report.failIf(broken.get() > 0, broken.get() + " turns not whole, e.g. " + examples);
        return report.done();
    }
}
