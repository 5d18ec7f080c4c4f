package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.TurnHandle;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.node.ObjectNode;

/**
 * Memory under unclaimed and unconsumed traffic: testkit's in-process fake floods one client with
 * (a) turns nobody started (their events are <em>held</em>, waiting for a claim) and (b) turns the
 * client started but never consumes (their events are <em>unconsumed</em>), with big messages
 * (items and single deltas of up to a megabyte or two, below half a G1 region), three times over
 * the byte budgets.
 *
 * <p>The bound: the heap the client's connection holds for traffic nobody consumes is at most
 * {@code maxHeldBytesTotal + maxUnconsumedBytes} (the byte budgets of {@code ConnectionOptions},
 * each message counted as its line's bytes plus its text if it is a delta, plus 96), plus the
 * reader's line buffer (at most {@code maxLineBytes}), plus a per-turn overhead for each turn the
 * router knows. The campaign samples the heap after a full GC while the flood runs and checks
 * {@code max(heap) - baseline <= bound + in-flight}, where in-flight allows four copies of the
 * biggest message for the in-process fake, which builds, encodes and writes it in this JVM; then
 * drops the handles and checks that the memory comes back.
 *
 * <pre>{@code
 * MemoryCampaign.run(Size.SHORT).print(System.out);
 * }</pre>
 */
public final class MemoryCampaign {
    /** What the router keeps per turn besides its messages (route, queue chunk, tombstone), generously. */
    static final long PER_TURN_OVERHEAD = 2_048;

    /**
     * The campaign's size. The fake writes enough turns to pass each budget three times over.
     *
     * @param options the budgets under test
     * @param bigBytes the size of a big message (capped below half a G1 region, see {@link #big()})
     * @param bigPerTurn big messages per started turn (turns nobody started get one fewer)
     */
    public record Config(ConnectionOptions options, int bigBytes, int bigPerTurn) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            if (size == Size.FULL) {
                // The defaults: 8 MiB per held turn, 64 MiB held in all, 256 MiB unconsumed, 64 MiB lines.
                return new Config(ConnectionOptions.builder().heldMessageTtl(Duration.ofSeconds(20)).build(), 2 << 20, 3);
            }
            return new Config(ConnectionOptions.builder().maxHeldBytesPerTurn(4 << 20).maxHeldBytesTotal(12 << 20)
                    .maxUnconsumedBytes(24 << 20).maxLineBytes(8 << 20).heldMessageTtl(Duration.ofSeconds(5))
                    .build(), 1 << 20, 3);
        }

        /**
         * @return the size of a big message: {@link #bigBytes}, but below half a G1 heap region.
         *     G1 gives an object of half a region or more whole regions of its own (a "humongous"
         *     object), so its footprint is rounded up to a region: up to twice its bytes. That is
         *     the collector's accounting, not the SDK's; docs/RELIABILITY.md shows it apart.
         */
        int big() {
            long region = g1RegionBytes();
            return region > 0 ? (int) Math.min(bigBytes, region / 2 - 64 * 1024) : bigBytes;
        }

        /** @return turns nobody starts: three times the held budget */
        int unclaimedTurns() {
            return (int) Math.ceil(3.0 * options.maxHeldBytesTotal() / (0.75 * big() * (bigPerTurn - 1)));
        }

        /** @return turns started and never consumed: three times the unconsumed budget */
        int unconsumedTurns() {
            return (int) Math.ceil(3.0 * options.maxUnconsumedBytes() / (0.75 * big() * bigPerTurn));
        }

        /** @return the bound on what the connection may hold, without the per-turn overhead */
        long budgetBytes() {
            return options.maxHeldBytesTotal() + options.maxUnconsumedBytes() + options.maxLineBytes();
        }
    }

    /** @return the G1 region size of this JVM, or 0 when it does not run G1 */
    static long g1RegionBytes() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hotspot = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (!Boolean.parseBoolean(hotspot.getVMOption("UseG1GC").getValue())) {
                return 0;
            }
            return Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private MemoryCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config) {
        Report report = new Report("memory", size);
        int big = config.big();
        AtomicLong written = new AtomicLong();
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/start", (req, out) -> {
                    String thread = out.var("threadId");
                    String turn = out.var("turnId");
                    out.respond(AppServerMessages.turnStartResult(turn));
                    flood(out, thread, turn, big, config.bigPerTurn(), written);
                })
                .onRequest("fz/flood-unclaimed", (req, out) -> {
                    for (int i = 0; i < config.unclaimedTurns(); i++) {
                        // One big message fewer than a started turn: most fit the per-turn bound, so the total acts.
                        flood(out, "fz-thread-" + (i % 7), "fz-unclaimed-" + i, big, config.bigPerTurn() - 1, written);
                    }
                    out.respond(ProtocolCodec.emptyObject());
                });
        long baseline;
        Sampler sampler = new Sampler();
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Internals.connectionOptions(Codex.builder(), config.options())
                        .streams(fake.clientInput(), fake.clientOutput()).requestTimeout(Duration.ofMinutes(5)).build()) {
            Connection c = Internals.connection(codex);
            List<CodexThread> threads = new ArrayList<>();
            for (int i = 0; i < config.unconsumedTurns(); i++) {
                threads.add(codex.startThread());
            }
            baseline = Probe.heapAfterGc();
            sampler.start(c);
            long start = System.nanoTime();
            // Unclaimed turns first, then turns started and never consumed (handles kept: reachable).
            codex.request("fz/flood-unclaimed", ProtocolCodec.emptyObject());
            List<TurnHandle> handles = new ArrayList<>();
            for (CodexThread t : threads) {
                handles.add(t.turn("flood me"));
            }
            Probe.await(() -> handles.stream().allMatch(TurnHandle::isCompleted), 300_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.sampleNow(c);
            long routes = c.routeCount();
            long heldAtEnd = c.heldBytes();
            long unconsumedAtEnd = c.unconsumedBytes();
            sampler.stop();
            long overhead = (config.options().maxHeldTurns() + (long) config.unconsumedTurns()) * PER_TURN_OVERHEAD;
            long bound = config.budgetBytes() + Math.min(overhead, (routes + config.unconsumedTurns()) * PER_TURN_OVERHEAD);
            long inFlight = 4L * big;
            long grew = sampler.maxHeap.get() - baseline;
            // Release: the handles become unreachable; unclaimed turns pass their TTL.
            handles.clear();
            long ttl = config.options().heldMessageTtl().toMillis();
            Probe.await(() -> {
                System.gc();
                return c.unconsumedBytes() == 0 && c.heldBytes() == 0;
            }, ttl * 3 + 30_000);
            long released = Probe.heapAfterGc() - baseline;
            report.figure("budgets", String.format(Locale.ROOT,
                    "maxHeldBytesPerTurn %s, maxHeldBytesTotal %s, maxUnconsumedBytes %s, maxLineBytes %s, maxHeldTurns %,d",
                    mib(config.options().maxHeldBytesPerTurn()), mib(config.options().maxHeldBytesTotal()),
                    mib(config.options().maxUnconsumedBytes()), mib(config.options().maxLineBytes()),
                    config.options().maxHeldTurns()));
            report.figure("flood written by the fake", mib(written.get()) + String.format(Locale.ROOT,
                    " in %.1f s (%d unclaimed turns, %d unconsumed turns, big messages of %s to %s; G1 region %s)",
                    seconds, config.unclaimedTurns(), config.unconsumedTurns(), mib(big / 2), mib(big),
                    mib(g1RegionBytes())));
            report.figure("bound (budgets + line buffer + per-turn overhead)", mib(bound));
            report.figure("allowance for the fake's message in flight", mib(inFlight));
            report.figure("heap after GC, baseline", mib(baseline));
            report.figure("heap after GC, largest growth during the flood", mib(grew) + " over " + sampler.samples.get()
                    + " samples");
            report.figure("held bytes (counted), largest", mib(sampler.maxHeld.get()));
            report.figure("unconsumed bytes (counted), largest", mib(sampler.maxUnconsumed.get()));
            report.figure("at the end: held, unconsumed, routes", mib(heldAtEnd) + ", " + mib(unconsumedAtEnd) + ", "
                    + routes);
            report.figure("turns discarded by a bound", c.stats().turnsDiscarded());
            report.figure("heap after release (growth over baseline)", mib(released));
            report.failIf(sampler.maxHeld.get() > config.options().maxHeldBytesTotal(), "held bytes passed their budget: "
                    + sampler.maxHeld.get());
            report.failIf(sampler.maxUnconsumed.get() > config.options().maxUnconsumedBytes(),
                    "unconsumed bytes passed their budget: " + sampler.maxUnconsumed.get());
            report.failIf(grew > bound + inFlight, "the heap grew by " + mib(grew) + ", over the bound of " + mib(bound)
                    + " and " + mib(inFlight) + " in flight");
            report.failIf(written.get() < 2.5 * (config.options().maxHeldBytesTotal() + config.options().maxUnconsumedBytes()),
                    "the flood (" + mib(written.get()) + ") was not 2.5 times the budgets");
            report.failIf(c.unconsumedBytes() != 0 || c.heldBytes() != 0, "not released: held " + c.heldBytes()
                    + ", unconsumed " + c.unconsumedBytes());
            report.failIf(!codex.isOpen(), "the connection closed: " + c.closedCause());
        } finally {
            sampler.stop();
        }
        return report.done();
    }

    /** Writes one turn: started, a few small deltas, big deltas and big items, completed. */
    private static void flood(FakeAppServer.Responder out, String thread, String turn, int big, int bigPerTurn,
            AtomicLong written) {
        Random random = new Random(turn.hashCode());
        send(out, AppServerMessages.turnStarted(thread, turn), written);
        for (int i = 0; i < 20; i++) {
            send(out, AppServerMessages.agentMessageDelta(thread, turn, "msg-" + turn, "word " + i + " "), written);
        }
        for (int i = 0; i < bigPerTurn; i++) {
            String text = filler(big / 2 + random.nextInt(big / 2), random);
            send(out, i % 2 == 0 ? AppServerMessages.agentMessageDelta(thread, turn, "msg-" + turn, text)
                    : AppServerMessages.agentMessageCompleted(thread, turn, "msg-" + turn + "-" + i, text, "final_answer"),
                    written);
        }
        send(out, AppServerMessages.turnCompleted(thread, turn, "completed"), written);
    }

    private static void send(FakeAppServer.Responder out, ObjectNode message, AtomicLong written) {
        out.send(message);
        written.addAndGet(message.toString().length());
    }

    private static String filler(int n, Random random) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(c);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Samples the heap after a full GC, and the router's gauges, while the flood runs. */
    private static final class Sampler {
        final AtomicLong maxHeap = new AtomicLong();
        final AtomicLong maxHeld = new AtomicLong();
        final AtomicLong maxUnconsumed = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        void start(Connection c) {
            running.set(true);
            thread = Thread.ofPlatform().daemon().name("reliability-heap-sampler").start(() -> {
                while (running.get()) {
                    sampleNow(c);
                    KillCampaign.sleep(200);
                }
            });
        }

        void sampleNow(Connection c) {
            maxHeld.accumulateAndGet(c.heldBytes(), Math::max);
            maxUnconsumed.accumulateAndGet(c.unconsumedBytes(), Math::max);
            System.gc();
            maxHeap.accumulateAndGet(java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
                    .getUsed(), Math::max);
            samples.incrementAndGet();
        }

        void stop() {
            running.set(false);
            if (thread != null) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
