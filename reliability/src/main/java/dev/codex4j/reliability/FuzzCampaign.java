package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.RuntimeStats;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Fuzzed lines interleaved with real turns on one connection: testkit's in-process fake streams
 * real turns (sequence-numbered deltas, {@code ScriptStep.pacedTurn}) while a
 * {@link FuzzingInputStream} injects {@link FuzzLines} between its lines, grammar-aware and
 * byte-level. Targets: 0 dispatcher deaths (the connection stays open, its reader alive), 0 damaged
 * turns (every real turn's deltas complete, once, in order, its final text whole), including the
 * turns that follow the fuzz; and the log stays rate-limited.
 *
 * <pre>{@code
 * FuzzCampaign.run(Size.FULL).print(System.out);   // 1,000,000 lines
 * }</pre>
 */
public final class FuzzCampaign {
    /**
     * The campaign's size.
     *
     * @param lines bad lines to inject
     * @param consumers threads running real turns meanwhile
     * @param deltas deltas per real turn
     * @param hugeBytes the size of a huge value (one in 100,000 lines, and the 10th)
     */
    public record Config(long lines, int consumers, int deltas, int hugeBytes) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(1_000_000, 4, 30, 4 << 20) : new Config(60_000, 3, 30, 1 << 20);
        }
    }

    /** Counts what the SDK logs under {@code dev.codex4j} at WARNING and above. */
    private static final class LogCount extends Handler implements AutoCloseable {
        final AtomicLong records = new AtomicLong();
        final List<String> first = new CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger("dev.codex4j");

        LogCount() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                records.incrementAndGet();
                if (first.size() < 3) {
                    first.add(r.getMessage());
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    private FuzzCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config) {
        Report report = new Report("fuzz", size);
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.pacedTurn(config.deltas(), 2_000));
        List<String> threadIds = new CopyOnWriteArrayList<>();
        FuzzLines fuzz = new FuzzLines(new Random(0xF022L), threadIds, config.hugeBytes());
        AtomicLong turns = new AtomicLong();
        AtomicLong damaged = new AtomicLong();
        AtomicLong followUps = new AtomicLong();
        AtomicLong followUpsDamaged = new AtomicLong();
        List<String> examples = new CopyOnWriteArrayList<>();
        long elapsed;
        try (LogCount log = new LogCount();
                FakeAppServer fake = FakeAppServer.inProcess(script)) {
            FuzzingInputStream in = new FuzzingInputStream(fake.clientInput(), fuzz, config.lines(),
                    new Random(0xF023L));
            try (Codex codex = Codex.builder().streams(in, fake.clientOutput()).build();
                    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Connection connection = Internals.connection(codex);
                List<CodexThread> threads = new ArrayList<>();
                for (int i = 0; i < config.consumers(); i++) {
                    CodexThread t = codex.startThread();
                    threads.add(t);
                    threadIds.add(t.id());
                }
                long start = System.nanoTime();
                in.arm();
                List<Future<?>> running = new ArrayList<>();
                for (CodexThread thread : threads) {
                    running.add(pool.submit(() -> {
                        boolean followUp = false;
                        while (true) {
                            boolean last = in.done();
                            TurnCheck.Result r = TurnCheck.consume(thread.turn("q"), config.deltas(), null);
                            (last ? followUps : turns).incrementAndGet();
                            if (!r.whole()) {
                                (last ? followUpsDamaged : damaged).incrementAndGet();
                                if (examples.size() < 3) {
                                    examples.add(r.problem());
                                }
                            }
                            if (last) {
                                break;
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    try {
                        f.get(30, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        damaged.incrementAndGet();
                        examples.add(e.toString());
                    }
                }
                elapsed = System.nanoTime() - start;
                boolean open = codex.isOpen();
                boolean readerAlive = connection.liveThreads().stream()
                        .anyMatch(t -> t.getName().equals("codex4j-dispatcher"));
                RuntimeStats.Snapshot stats = connection.stats();
                report.figure("bad lines injected", in.injected());
                StringBuilder kinds = new StringBuilder();
                for (FuzzLines.Kind k : FuzzLines.Kind.values()) {
                    kinds.append(kinds.isEmpty() ? "" : ", ").append(k.name().toLowerCase(Locale.ROOT)).append(' ')
                            .append(String.format(Locale.ROOT, "%,d", fuzz.count(k)));
                }
                report.figure("by kind", kinds);
                report.figure("lines read by the SDK", stats.lines());
                report.figure("skipped as not JSON-RPC", stats.badLines());
                report.figure("dropped (no route, released or discarded turns)", stats.dropped());
                report.figure("fuzzed turns discarded by the byte budgets", stats.turnsDiscarded());
                report.figure("server requests answered", stats.serverRequests());
                report.figure("real turns during the fuzz", turns.get());
                report.figure("real turns damaged", damaged.get());
                report.figure("follow-up turns after the fuzz", followUps.get());
                report.figure("follow-up turns damaged", followUpsDamaged.get());
                report.figure("dispatcher deaths", open && readerAlive ? 0 : 1);
                report.figure("WARNING log records", log.records.get() + (log.first.isEmpty() ? "" : ", e.g. "
                        + log.first.getFirst()));
                report.figure("lines per second", String.format(Locale.ROOT, "%,.0f", stats.lines() / (elapsed / 1e9)));
                report.failIf(!open || !readerAlive, "the dispatcher died: connection open " + open + ", reader alive "
                        + readerAlive + ": " + connection.closedCause());
                report.failIf(damaged.get() + followUpsDamaged.get() > 0, (damaged.get() + followUpsDamaged.get())
                        + " real turns damaged, e.g. " + examples);
                report.failIf(followUps.get() < config.consumers(), "only " + followUps.get() + " follow-up turns ran");
                report.failIf(in.injected() < config.lines(), "only " + in.injected() + " bad lines were read");
                // Rate-limited: each kind of complaint logs at most 10 (handler failures 20) a minute, then
                // a summary: about 80 a started minute in all.
                long minutes = 1 + elapsed / 60_000_000_000L;
                report.failIf(log.records.get() > 80 * minutes, log.records.get() + " WARNING log records in "
                        + minutes + " started minutes: the log is not rate-limited");
            }
        }
        return report.done();
    }
}
