package dev.codex4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI smoke of the benchmarks and the harnesses: each runs briefly and must complete and deliver
 * everything. No timing is asserted: CI machines are shared and noisy.
 */
class BenchSmokeIT {

    @Test
    void everyBenchmarkRunsToCompletion() throws Exception {
        Options options = new OptionsBuilder()
                .include(RoutingBenchmark.class.getName() + ".")
                .include(MailboxHandoffBenchmark.class.getName() + ".")
                .include(FoldBenchmark.class.getName() + ".")
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(200))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .timeout(TimeValue.seconds(60))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        // RoutingBenchmark: 8 benchmarks x 2 interleavings; hand-off: 2 x 2 queues; fold: 4.
        assertEquals(8 * 2 + 2 * 2 + 4, results.size());
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark() + " measured nothing");
        }
    }

    @Test
    void loadHarnessDeliversEveryNotificationOnceInOrder() throws Exception {
        List<LoadHarness.Result> results = LoadHarness.run(LoadHarness.Config.smoke());
        assertEquals(4, results.size());
        for (LoadHarness.Result r : results) {
            if (r.name().equals("idle")) {
                assertTrue(r.bytesPerIdleTurn() > 0, "an open turn retains something: " + r);
            } else {
                assertEquals(List.of(), r.failures(), r.name());
                assertTrue(r.expected() > 0, r.name());
                assertEquals(r.expected(), r.delivered(), r.name());
            }
        }
    }

    @Test
    void realCliLoadCompletesEveryTurn() throws Exception {
        RealCliLoad.Result r = RealCliLoad.run(2, 1, 20);
        assertEquals(2, r.turns());
        assertFalse(r.notifications() < 2 * 20, "every delta arrives as an event: " + r);
        assertTrue(r.codexCpuNanos() >= 0, "the codex child's CPU is readable: " + r);
    }
}
