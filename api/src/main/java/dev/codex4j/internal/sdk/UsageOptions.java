package dev.codex4j.internal.sdk;

import java.time.Duration;
import java.util.Objects;

/**
 * What a client does about usage, cost, budgets and rate limits (issue 25), one immutable value of
 * {@link CodexOptions}.
 *
 * @param rateLimitWait the longest a turn start waits for a used-up limit to reset (zero: it does not wait)
 */
public record UsageOptions(Duration rateLimitWait) {
    /** The defaults: no waiting. */
    public static final UsageOptions DEFAULTS = new UsageOptions(Duration.ZERO);

    /** Checks. */
    public UsageOptions {
        Objects.requireNonNull(rateLimitWait, "rateLimitWait");
        if (rateLimitWait.isNegative()) {
            throw new IllegalArgumentException("rateLimitWait must not be negative: " + rateLimitWait);
        }
    }

    /** @return these options with this wait */
    public UsageOptions withRateLimitWait(Duration wait) {
        return new UsageOptions(wait);
    }
}
