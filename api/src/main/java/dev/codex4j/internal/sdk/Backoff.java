package dev.codex4j.internal.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with optional full jitter, and an injected random source and sleeper so that
 * its users' tests are deterministic. The SDK layer's retries use it (an interrupt the server says
 * came too early); the runtime has its own for overload retries and restarts (the runtime's
 * {@code Backoff}), kept apart until the two are merged into one type.
 *
 * <p>Not thread-safe: one instance per retry loop.
 */
public final class Backoff {
    /** Sleeps; tests pass one that records instead. */
    @FunctionalInterface
    public interface Sleeper {
        /** The real one. */
        Sleeper THREAD = nanos -> Thread.sleep(Duration.ofNanos(nanos));

        /**
         * @param nanos how long
         * @throws InterruptedException when interrupted
         */
        void sleep(long nanos) throws InterruptedException;
    }

    private final long initialNanos;
    private final long maxNanos;
    private final boolean jitter;
    private final RandomGenerator random;
    private final Sleeper sleeper;
    private long next;

    private Backoff(Duration initial, Duration max, boolean jitter, RandomGenerator random, Sleeper sleeper) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = Math.max(initialNanos, max.toNanos());
        this.jitter = jitter;
        this.random = random;
        this.sleeper = sleeper;
        this.next = initialNanos;
    }

    /** @return doubling delays from {@code initial} up to {@code max}, without jitter, sleeping for real */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, false, ThreadLocalRandom.current(), Sleeper.THREAD);
    }

    /** @return doubling delays, each drawn uniformly from [0, delay] (full jitter), with these collaborators */
    public static Backoff withJitter(Duration initial, Duration max, RandomGenerator random, Sleeper sleeper) {
        return new Backoff(initial, max, true, random, sleeper);
    }

    /** @return the next delay in nanoseconds (and doubles the one after, up to the maximum) */
    public long nextDelayNanos() {
        long d = next;
        next = Math.min(maxNanos, next > maxNanos / 2 ? maxNanos : next * 2);
        return jitter ? random.nextLong(d + 1) : d;
    }

    /**
     * Sleeps the next delay, but not past {@code deadline}.
     *
     * @throws InterruptedException when interrupted
     */
    public void sleep(Deadline deadline) throws InterruptedException {
        long d = Math.min(nextDelayNanos(), Math.max(0, deadline.remainingNanos()));
        if (d > 0) {
            sleeper.sleep(d);
        }
    }

    /** Starts over from the initial delay (after a success). */
    public void reset() {
        next = initialNanos;
    }
}
