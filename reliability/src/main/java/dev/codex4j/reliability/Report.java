package dev.codex4j.reliability;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one campaign found: its figures (in the order they were measured), its <em>failures</em>
 * (a count that must be zero was not: a lost message, a hung call, a leaked thread; these fail the
 * campaign), and its <em>misses</em> (a latency target that was not met on this run: reported,
 * never a failure, because a shared 2-core machine is noisy). Filled by one thread, the campaign's.
 *
 * <pre>{@code
 * Report r = new Report("kills", Size.SHORT);
 * r.figure("waiters", 12);
 * r.failIf(hung > 0, hung + " waiters hung");
 * r.print(System.out);
 * }</pre>
 */
public final class Report {
    private final String campaign;
    private final Size size;
    private final long startNanos = System.nanoTime();
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> misses = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private double seconds = -1;

    /**
     * @param campaign the campaign's name
     * @param size its form
     */
    public Report(String campaign, Size size) {
        this.campaign = campaign;
        this.size = size;
    }

    /** @return the campaign's name */
    public String campaign() {
        return campaign;
    }

    /** @return the form it ran in */
    public Size size() {
        return size;
    }

    /** Records a figure. @return this */
    public Report figure(String name, Object value) {
        figures.put(name, value instanceof Double d ? String.format(Locale.ROOT, "%.1f", d)
                : value instanceof Long || value instanceof Integer ? String.format(Locale.ROOT, "%,d", value)
                : String.valueOf(value));
        return this;
    }

    /** Records a failure when the condition holds. @return this */
    public Report failIf(boolean condition, String what) {
        if (condition) {
            failures.add(what);
        }
        return this;
    }

    /** Records a missed target when the condition holds. @return this */
    public Report missIf(boolean condition, String what) {
        if (condition) {
            misses.add(what);
        }
        return this;
    }

    /** Records a remark printed with the figures. @return this */
    public Report note(String what) {
        notes.add(what);
        return this;
    }

    /** Marks the end of the campaign. @return this */
    public Report done() {
        seconds = (System.nanoTime() - startNanos) / 1e9;
        return this;
    }

    /** @return the figures by name, formatted */
    public Map<String, String> figures() {
        return Map.copyOf(figures);
    }

    /** @return the failures: counts that had to be zero and were not */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** @return the latency targets this run missed */
    public List<String> misses() {
        return List.copyOf(misses);
    }

    /** @return the wall time of the campaign, in seconds */
    public double seconds() {
        return seconds;
    }

    /** Prints the figures, failures and misses. */
    public void print(PrintStream out) {
        out.printf(Locale.ROOT, "== %s (%s form, %.1f s): %s%n", campaign, size.name().toLowerCase(Locale.ROOT), seconds,
                failures.isEmpty() ? (misses.isEmpty() ? "ok" : "ok, targets missed") : "FAILED");
        int width = figures.keySet().stream().mapToInt(String::length).max().orElse(0);
        figures.forEach((k, v) -> out.printf(Locale.ROOT, "   %-" + width + "s  %s%n", k, v));
        notes.forEach(n -> out.println("   note: " + n));
        misses.forEach(m -> out.println("   target missed: " + m));
        failures.forEach(f -> out.println("   FAILURE: " + f));
    }

    @Override
    public String toString() {
        return campaign + " " + figures + (failures.isEmpty() ? "" : " failures " + failures)
                + (misses.isEmpty() ? "" : " misses " + misses);
    }
}
