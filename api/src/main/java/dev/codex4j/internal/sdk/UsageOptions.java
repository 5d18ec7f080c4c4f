package dev.codex4j.internal.sdk;

import java.time.Duration;
import java.util.Objects;
import dev.codex4j.Budget;
import dev.codex4j.PriceTable;
import org.jspecify.annotations.Nullable;

/**
 * What a client does about usage, cost, budgets and rate limits (issue 25), one immutable value of
 * {@link CodexOptions}.
 *
 * @param rateLimitWait the longest a turn start waits for a used-up limit to reset (zero: it does not wait)
 * @param prices the user's prices, or null for none (costs are unknown)
 * @param budget the client's budget, or null for none
 */
public record UsageOptions(Duration rateLimitWait, @Nullable PriceTable prices, @Nullable Budget budget) {
    /** The defaults: no waiting, no prices, no budget. */
    public static final UsageOptions DEFAULTS = new UsageOptions(Duration.ZERO, null, null);

    /** Checks. */
    public UsageOptions {
        Objects.requireNonNull(rateLimitWait, "rateLimitWait");
        if (rateLimitWait.isNegative()) {
            throw new IllegalArgumentException("rateLimitWait must not be negative: " + rateLimitWait);
        }
    }

    /** @return these options with this wait */
    public UsageOptions withRateLimitWait(Duration wait) {
        return new UsageOptions(wait, prices, budget);
    }

    /** @return these options with these prices */
    public UsageOptions withPrices(@Nullable PriceTable table) {
        return new UsageOptions(rateLimitWait, table, budget);
    }

    /** @return these options with this client budget */
    public UsageOptions withBudget(@Nullable Budget b) {
        return new UsageOptions(rateLimitWait, prices, b);
    }
}
