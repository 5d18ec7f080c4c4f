package dev.codex4j.reliability;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Durations in nanoseconds from any thread, summarised as median, 99th percentile and maximum.
 *
 * <pre>{@code
 * Latencies l = new Latencies();
 * l.add(System.nanoTime() - start);
 * System.out.println(l.describe());   // "p50 12.0 ms, p99 40.1 ms, max 51.3 ms (n=240)"
 * }</pre>
 */
public final class Latencies {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] values = new long[64];
    private int n;

    /** Adds one duration. */
    public void add(long nanos) {
        lock.lock();
        try {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = nanos;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many were added */
    public int count() {
        lock.lock();
        try {
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** @return the given quantile (0..1) in milliseconds, or 0 when empty */
    public double quantileMs(double q) {
        long[] sorted = sorted();
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[i] / 1e6;
    }

    /** @return the largest in milliseconds, or 0 when empty */
    public double maxMs() {
        long[] sorted = sorted();
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6;
    }

    /** @return the smallest in milliseconds, or 0 when empty */
    public double minMs() {
        long[] sorted = sorted();
        return sorted.length == 0 ? 0 : sorted[0] / 1e6;
    }

    /** @return "p50 .. ms, p99 .. ms, max .. ms (n=..)" */
    public String describe() {
        return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%,d)", quantileMs(0.5),
                quantileMs(0.99), maxMs(), count());
    }

    private long[] sorted() {
        lock.lock();
        try {
            long[] copy = Arrays.copyOf(values, n);
            Arrays.sort(copy);
            return copy;
        } finally {
            lock.unlock();
        }
    }
}
