package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * When a supervised client tries again to reach its lost app-server: after an exponential delay
 * from {@code initialBackoff} doubling up to {@code maxBackoff}, with equal jitter (the one
 * {@link Backoff}, as {@link RetryPolicy} for overloads), and at most {@code maxRestarts} attempts within any
 * {@code window}; past that it gives up. A successful connection starts the backoff over (the
 * window still counts it, so a server that dies at once after each start exhausts it). Clock and
 * random source are injected, so tests get exact delays. Not thread-safe: its one user is the
 * client's supervisor thread.
 *
 * <pre>{@code
 * RestartPolicy p = new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 10, Duration.ofMinutes(1),
 *         RetryPolicy.threadLocalRandom(), System::nanoTime);
 * long delay = p.nextDelayNanos();     // -1: give up
 * ...connect...; p.connected();
 * }</pre>
 */
public final class RestartPolicy {
    private final Backoff backoff;
    private final int maxRestarts;
    private final long windowNanos;
    private final LongSupplier clock;
    /** When each attempt within the window began (clock nanos), oldest first. */
    private final ArrayDeque<Long> attempts = new ArrayDeque<>();
    /** Attempts since the last successful connection. */
    private int failures;

    /**
     * @param initialBackoff the first delay
     * @param maxBackoff the longest delay
     * @param maxRestarts the most attempts within {@code window}
     * @param window the sliding window of {@code maxRestarts}
     * @param random the jitter's random source
     * @param clock a nanosecond clock ({@code System::nanoTime})
     */
    public RestartPolicy(Duration initialBackoff, Duration maxBackoff, int maxRestarts, Duration window,
            RandomGenerator random, LongSupplier clock) {
        if (maxRestarts < 1) {
            throw new IllegalArgumentException("maxRestarts must be positive: " + maxRestarts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("backoffs must not be negative and the window must be positive");
        }
        this.backoff = new Backoff(initialBackoff, maxBackoff, true, Objects.requireNonNull(random, "random"),
                Backoff.Sleeper.SYSTEM);
        this.maxRestarts = maxRestarts;
        this.windowNanos = window.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return a policy with jitter from {@link java.util.concurrent.ThreadLocalRandom} and {@link System#nanoTime()} */
    public static RestartPolicy of(Duration initialBackoff, Duration maxBackoff, int maxRestarts, Duration window) {
        return new RestartPolicy(initialBackoff, maxBackoff, maxRestarts, window, RetryPolicy.threadLocalRandom(),
                System::nanoTime);
    }

    /**
     * Records one more attempt and says how long to wait before it.
     *
     * @return the delay in nanoseconds, or -1 when {@code maxRestarts} attempts were made within
     *     the window already (give up)
     */
    public long nextDelayNanos() {
        long now = clock.getAsLong();
        while (!attempts.isEmpty() && now - attempts.peekFirst() >= windowNanos) {
            attempts.pollFirst();
        }
        if (attempts.size() >= maxRestarts) {
            return -1;
        }
        failures++;
        long delay = backoff.delayNanos(failures);
        attempts.addLast(now + delay);
        return delay;
    }

    /** The attempt connected: the next loss starts from the initial backoff again. */
    public void connected() {
        failures = 0;
    }

    /** @return the limit, for messages: "10 restarts within PT1M" */
    public String describeLimit() {
        return maxRestarts + " restarts within " + Duration.ofNanos(windowNanos);
    }
}
