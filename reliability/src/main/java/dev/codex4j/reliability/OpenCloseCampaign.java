package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.RunResult;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.OfflineCodex;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Open/close cycles: a client is built (child process started, handshake), runs one turn, and is
 * closed, again and again, against testkit's fake app-server as a child process and against the
 * real pinned CLI with the mock model. After every {@code close()}: its child process is gone and
 * none of its threads is alive (at once, not eventually). After all cycles: this process holds no
 * more file descriptors, SDK platform threads or child processes than before them.
 *
 * <pre>{@code
 * OpenCloseCampaign.run(Size.FULL).print(System.out);   // 1,000 cycles each
 * }</pre>
 */
public final class OpenCloseCampaign {
    /**
     * The campaign's size.
     *
     * @param fakeCycles cycles against the fake child
     * @param realCycles cycles against the real CLI
     */
    public record Config(int fakeCycles, int realCycles) {
        /** @return the configuration of a form */
        public static Config of(Size size) {
            return size == Size.FULL ? new Config(1_000, 1_000) : new Config(10, 6);
        }
    }

    /** What the cycles against one kind of server found. */
    private static final class Tally {
        int cycles;
        int failedTurns;
        int childAliveAfterClose;
        int childNotFound;
        int threadsAliveAfterClose;
        final Latencies cycle = new Latencies();
        final Latencies close = new Latencies();
    }

    private OpenCloseCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        return run(size, Config.of(size));
    }

    /** @return the campaign's report with this configuration */
    public static Report run(Size size, Config config) {
        Report report = new Report("cycles", size);
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script());
                OfflineCodex offline = OfflineCodex.start()) {
            cycles("fake child", () -> Codex.builder().launch(fake.launch()), config.fakeCycles(), report);
            cycles("real CLI", () -> Codex.builder().launch(offline.launch()), config.realCycles(), report);
        }
        return report.done();
    }

    private static void cycles(String name, Supplier<CodexBuilder> builder, int n, Report report) {
        if (n == 0) {
            return;
        }
        Tally t = new Tally();
        // Warm up: class loading and the first sockets open descriptors that stay (jars, the mock's listener).
        for (int i = 0; i < 2; i++) {
            cycle(builder, new Tally());
        }
        Probe before = Probe.settle(Probe.now(), 2_000);
        for (int i = 0; i < n; i++) {
            cycle(builder, t);
        }
        Probe after = Probe.settle(before, 10_000);
        String p = name + ": ";
        report.figure(p + "cycles", t.cycles);
        report.figure(p + "before", before.describe());
        report.figure(p + "after", after.describe());
        report.figure(p + "cycle (open, one turn, close)", t.cycle.describe());
        report.figure(p + "close()", t.close.describe());
        report.failIf(t.failedTurns > 0, p + t.failedTurns + " turns did not answer");
        report.failIf(t.childNotFound > 0, p + t.childNotFound + " clients whose child process was not seen");
        report.failIf(t.childAliveAfterClose > 0, p + t.childAliveAfterClose + " children alive when close() returned");
        report.failIf(t.threadsAliveAfterClose > 0, p + t.threadsAliveAfterClose
                + " SDK threads alive when close() returned");
        report.failIf(after.fds() > before.fds(), p + (after.fds() - before.fds()) + " file descriptors leaked");
        report.failIf(after.sdkThreads() > before.sdkThreads(), p + (after.sdkThreads() - before.sdkThreads())
                + " SDK platform threads leaked: " + Probe.sdkThreadNames());
        report.failIf(after.children() > before.children(), p + (after.children() - before.children())
                + " child processes leaked");
    }

    private static void cycle(Supplier<CodexBuilder> builder, Tally t) {
        long start = System.nanoTime();
        Set<Long> children = Children.snapshot();
        Codex codex = builder.get().build();
        Optional<ProcessHandle> child = ProcessHandle.current().children().filter(h -> !children.contains(h.pid()))
                .findFirst();
        try {
            RunResult r = codex.startThread().run("hello");
            if (r.finalResponse().isEmpty()) {
                t.failedTurns++;
            }
        } catch (RuntimeException e) {
            t.failedTurns++;
        } finally {
            long closeStart = System.nanoTime();
            codex.close();
            t.close.add(System.nanoTime() - closeStart);
        }
        if (child.isEmpty()) {
            t.childNotFound++;
        } else if (child.get().isAlive()) {
            t.childAliveAfterClose++;
        }
        t.threadsAliveAfterClose += Internals.connection(codex).liveThreads().size();
        t.cycles++;
        t.cycle.add(System.nanoTime() - start);
    }
}
