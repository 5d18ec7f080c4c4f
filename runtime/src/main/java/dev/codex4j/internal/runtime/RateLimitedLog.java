package dev.codex4j.internal.runtime;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A log line that may repeat without bound (a bad line from the server, a dropped message): the
 * first {@code burst} occurrences of each window are logged, the rest are counted, and the next
 * line logged after a window says how many were suppressed. Thread-safe and cheap when
 * suppressed.
 */
final class RateLimitedLog {
    private final Logger log;
    private final Level level;
    private final int burst;
    private final long windowNanos;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    RateLimitedLog(Logger log, Level level, int burst, long windowNanos) {
        this.log = log;
        this.level = level;
        this.burst = burst;
        this.windowNanos = windowNanos;
    }

    /** Logs (or counts) one occurrence; {@code message} is built only when it is logged. */
    void log(Supplier<String> message) {
        total.incrementAndGet();
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > burst) {
            suppressed.incrementAndGet();
            return;
        }
        if (!log.isLoggable(level)) {
            return;
        }
        long quiet = suppressed.getAndSet(0);
        String m = message.get();
        log.log(level, quiet == 0 ? m : m + " (" + quiet + " similar lines suppressed since the last one; "
                + total.get() + " in all)");
    }

    /** @return how many occurrences there were in all, logged or not */
    long total() {
        return total.get();
    }
}
