package dev.codex4j.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH's command line ({@code org.openjdk.jmh.Main}'s options), plus a summary of the figures the
 * project tracks: the routing pipeline's throughput as a share of the parsing limit, per
 * interleaving, with the error bars of both.
 *
 * <pre>{@code
 * scripts/bench                      # runs this with the default options
 * }</pre>
 */
public final class BenchMain {
    private BenchMain() {}

    /** @param args JMH options, for example {@code RoutingBenchmark -f 1 -wi 3 -i 5} */
    public static void main(String[] args) throws Exception {
        CommandLineOptions options = new CommandLineOptions(args);
        if (options.shouldHelp() || options.shouldList()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Result<?>> limits = new TreeMap<>();
        Map<String, Result<?>> stringLimits = new TreeMap<>();
        Map<String, Result<?>> pipeline = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String run = r.getParams().getParam("run");
            if (name.endsWith(".limitJacksonTokens")) {
                limits.put(run, r.getPrimaryResult());
            } else if (name.endsWith(".limitJacksonTokensAndStrings")) {
                stringLimits.put(run, r.getPrimaryResult());
            } else if (name.endsWith(".sdkConnectionToFold")) {
                pipeline.put(run, r.getPrimaryResult());
            }
        }
        if (!pipeline.isEmpty()) {
            System.out.println();
            System.out.println("Routing pipeline as a share of the parsing limit (target >= 0.70):");
        }
        for (Map.Entry<String, Result<?>> e : pipeline.entrySet()) {
            Result<?> p = e.getValue();
            System.out.printf(Locale.ROOT, "  interleaving run=%s: pipeline %,.0f lines/s%s%s%n", e.getKey(),
                    p.getScore(), ratio(" vs tokens-only limit", p, limits.get(e.getKey())),
                    ratio(" vs tokens+strings limit", p, stringLimits.get(e.getKey())));
        }
    }

    private static String ratio(String label, Result<?> p, Result<?> limit) {
        if (limit == null || limit.getScore() <= 0) {
            return "";
        }
        double r = p.getScore() / limit.getScore();
        double rel = relErr(p) + relErr(limit);
        return String.format(Locale.ROOT, ";%s %,.0f/s: ratio %.3f +- %.3f", label, limit.getScore(), r, r * rel);
    }

    private static double relErr(Result<?> r) {
        double err = r.getScoreError();
        return Double.isNaN(err) || r.getScore() == 0 ? 0 : err / r.getScore();
    }
}
