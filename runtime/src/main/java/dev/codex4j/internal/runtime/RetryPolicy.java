package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.RpcError;
import dev.codex4j.protocol.ServerOverloadedException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * When and after how long a request answered "server overloaded" (-32001, or data marking it
 * retryable) is sent again: up to {@code maxRetries} times, after an exponential delay from
 * {@code initialDelay} doubling up to {@code maxDelay}, with equal jitter (half the delay fixed,
 * half random: {@link Backoff}) so that clients that were refused together do not return together.
 * The random source is injected, so tests get exact delays. The delay is waited on the
 * connection's scheduler (a timer), not slept. Immutable and thread-safe when its random source
 * is.
 *
 * <pre>{@code
 * RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5), RetryPolicy.threadLocalRandom());
 * if (p.retries(error, attempts)) schedule(resend, p.delayNanos(attempts + 1));
 * }</pre>
 */
final class RetryPolicy {
    private final int maxRetries;
    private final Backoff backoff;

    RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay, RandomGenerator random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
        this.maxRetries = maxRetries;
        this.backoff = new Backoff(initialDelay, maxDelay, true, random, Backoff.Sleeper.SYSTEM);
    }

    /** @return the policy of these options, with {@link ThreadLocalRandom} as its random source */
    static RetryPolicy of(ConnectionOptions o) {
        return new RetryPolicy(o.overloadRetries(), o.retryInitialDelay(), o.retryMaxDelay(), threadLocalRandom());
    }

    /** @return a random source that uses the calling thread's {@link ThreadLocalRandom} */
    static RandomGenerator threadLocalRandom() {
        return Backoff.threadLocalRandom();
    }

    /**
     * @param error the error reply
     * @param retriesSoFar how many times the request was already sent again
     * @return whether to send it again
     */
    boolean retries(RpcError error, int retriesSoFar) {
        return ServerOverloadedException.matches(error) && retriesSoFar < maxRetries;
    }

    /**
     * @param retry which retry (1 for the first)
     * @return the delay before it, in nanoseconds
     */
    long delayNanos(int retry) {
        return backoff.delayNanos(retry);
    }

    /** @return how many retries at most */
    int maxRetries() {
        return maxRetries;
    }
}
