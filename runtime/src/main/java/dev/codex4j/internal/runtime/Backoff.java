package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The one backoff of codex4j: exponential from {@code initial}, doubling up to {@code max}, with
 * equal jitter (half of each delay fixed, half random) so that clients refused together do not
 * come back together, or without jitter. Used by the overload retry ({@link RetryPolicy}), the
 * supervised restart ({@link RestartPolicy}) and the SDK's interrupt retries. The random source
 * and the sleeper are injected, so that tests get exact delays and do not sleep. Immutable;
 * thread-safe when its random source and sleeper are.
 *
 * <pre>{@code
 * Backoff b = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(5));
 * for (int attempt = 1; !tryIt(); attempt++) {
 *     b.sleep(attempt);                        // 50..100 ms, then 100..200 ms, ... up to 2.5..5 s
 * }
 * }</pre>
 */
public final class Backoff {
    /** Sleeps for a while; injected so that tests do not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        /** {@link TimeUnit#sleep}: the calling thread sleeps. */
        Sleeper SYSTEM = TimeUnit.NANOSECONDS::sleep;

        /**
         * @param nanos how long
         * @throws InterruptedException when the thread is interrupted meanwhile
         */
        void sleep(long nanos) throws InterruptedException;
    }

    private final long initialNanos;
    private final long maxNanos;
    private final boolean jitter;
    private final RandomGenerator random;
    private final Sleeper sleeper;

    /**
     * @param initial the first delay (before jitter)
     * @param max the longest delay (before jitter); less than {@code initial} means {@code initial}
     * @param jitter whether half of each delay is random (equal jitter)
     * @param random the jitter's random source
     * @param sleeper what {@link #sleep} uses
     */
    public Backoff(Duration initial, Duration max, boolean jitter, RandomGenerator random, Sleeper sleeper) {
        if (initial.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("backoff delays must not be negative: " + initial + ", " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = Math.max(initialNanos, max.toNanos());
        this.jitter = jitter;
        this.random = Objects.requireNonNull(random, "random");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** @return equal jitter from {@link ThreadLocalRandom}, sleeping for real */
    public static Backoff of(Duration initial, Duration max) {
        return new Backoff(initial, max, true, threadLocalRandom(), Sleeper.SYSTEM);
    }

    /** @return the exact exponential delays (no jitter), sleeping with {@code sleeper} */
    public static Backoff exponential(Duration initial, Duration max, Sleeper sleeper) {
        return new Backoff(initial, max, false, threadLocalRandom(), sleeper);
    }

    /** @return a random source that uses the calling thread's {@link ThreadLocalRandom} */
    public static RandomGenerator threadLocalRandom() {
        return () -> ThreadLocalRandom.current().nextLong();
    }

    /**
     * @param attempt which retry (1 for the first)
     * @return the delay before it, in nanoseconds: {@code min(initial * 2^(attempt-1), max)}, half of
     *     it fixed and half random when jittered
     */
    public long delayNanos(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long exp = initialNanos << shift;
        if (exp <= 0 || exp > maxNanos || (initialNanos > 0 && exp >>> shift != initialNanos)) {
            exp = maxNanos;
        }
        if (!jitter) {
            return exp;
        }
        long half = exp / 2;
        return half + (half > 0 ? random.nextLong(half + 1) : 0);
    }

    /**
     * Sleeps the delay of {@code attempt} with the injected sleeper.
     *
     * @param attempt which retry (1 for the first)
     * @throws InterruptedException when the thread is interrupted meanwhile
     */
    public void sleep(int attempt) throws InterruptedException {
        sleeper.sleep(delayNanos(attempt));
    }

    @Override
    public String toString() {
        return "Backoff[" + Duration.ofNanos(initialNanos) + ".." + Duration.ofNanos(maxNanos)
                + (jitter ? ", equal jitter" : "") + "]";
    }
}
