package dev.codex4j.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link Connection}: request timeout, overload retries, and the bounds on messages
 * held for turns whose mailbox nobody has claimed yet.
 *
 * <pre>{@code
 * ConnectionOptions options = ConnectionOptions.defaults()
 *         .withRequestTimeout(Duration.ofSeconds(30))
 *         .withOverloadRetries(3);
 * }</pre>
 *
 * @param requestTimeout how long a request waits for its reply, retries included
 * @param overloadRetries how many times a request answered "server overloaded" is sent again
 * @param retryInitialDelay the delay before the first retry; it doubles with each retry
 * @param retryMaxDelay the cap on the delay between retries (before jitter)
 * @param maxHeldMessagesPerTurn the most messages held for one unclaimed turn
 * @param maxHeldMessagesTotal the most messages held for all unclaimed turns together
 * @param heldMessageTtl how long messages of an unclaimed turn are kept before they are dropped
 */
public record ConnectionOptions(
        Duration requestTimeout,
        int overloadRetries,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        int maxHeldMessagesPerTurn,
        int maxHeldMessagesTotal,
        Duration heldMessageTtl) {

    /** Checks every component. */
    public ConnectionOptions {
        positive(requestTimeout, "requestTimeout");
        positive(retryInitialDelay, "retryInitialDelay");
        positive(retryMaxDelay, "retryMaxDelay");
        positive(heldMessageTtl, "heldMessageTtl");
        if (overloadRetries < 0) {
            throw new IllegalArgumentException("overloadRetries must not be negative: " + overloadRetries);
        }
        if (maxHeldMessagesPerTurn < 1) {
            throw new IllegalArgumentException("maxHeldMessagesPerTurn must be positive: " + maxHeldMessagesPerTurn);
        }
        if (maxHeldMessagesTotal < 1) {
            throw new IllegalArgumentException("maxHeldMessagesTotal must be positive: " + maxHeldMessagesTotal);
        }
    }

    /**
     * @return 60 s request timeout; 5 overload retries from 100 ms doubling up to 5 s, with
     *     jitter; 10,000 held messages per unclaimed turn, 100,000 in all, kept for 60 s
     */
    public static ConnectionOptions defaults() {
        return new ConnectionOptions(Duration.ofSeconds(60), 5, Duration.ofMillis(100), Duration.ofSeconds(5),
                10_000, 100_000, Duration.ofSeconds(60));
    }

    /** @return a copy with this request timeout */
    public ConnectionOptions withRequestTimeout(Duration value) {
        return new ConnectionOptions(value, overloadRetries, retryInitialDelay, retryMaxDelay,
                maxHeldMessagesPerTurn, maxHeldMessagesTotal, heldMessageTtl);
    }

    /** @return a copy with this number of overload retries */
    public ConnectionOptions withOverloadRetries(int value) {
        return new ConnectionOptions(requestTimeout, value, retryInitialDelay, retryMaxDelay,
                maxHeldMessagesPerTurn, maxHeldMessagesTotal, heldMessageTtl);
    }

    /** @return a copy with this first retry delay */
    public ConnectionOptions withRetryInitialDelay(Duration value) {
        return new ConnectionOptions(requestTimeout, overloadRetries, value, retryMaxDelay,
                maxHeldMessagesPerTurn, maxHeldMessagesTotal, heldMessageTtl);
    }

    /** @return a copy with this cap on the retry delay */
    public ConnectionOptions withRetryMaxDelay(Duration value) {
        return new ConnectionOptions(requestTimeout, overloadRetries, retryInitialDelay, value,
                maxHeldMessagesPerTurn, maxHeldMessagesTotal, heldMessageTtl);
    }

    /** @return a copy with this bound on held messages per unclaimed turn */
    public ConnectionOptions withMaxHeldMessagesPerTurn(int value) {
        return new ConnectionOptions(requestTimeout, overloadRetries, retryInitialDelay, retryMaxDelay,
                value, maxHeldMessagesTotal, heldMessageTtl);
    }

    /** @return a copy with this bound on held messages in all */
    public ConnectionOptions withMaxHeldMessagesTotal(int value) {
        return new ConnectionOptions(requestTimeout, overloadRetries, retryInitialDelay, retryMaxDelay,
                maxHeldMessagesPerTurn, value, heldMessageTtl);
    }

    /** @return a copy with this time to live of held messages */
    public ConnectionOptions withHeldMessageTtl(Duration value) {
        return new ConnectionOptions(requestTimeout, overloadRetries, retryInitialDelay, retryMaxDelay,
                maxHeldMessagesPerTurn, maxHeldMessagesTotal, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
