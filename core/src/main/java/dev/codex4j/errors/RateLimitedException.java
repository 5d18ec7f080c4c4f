package dev.codex4j.errors;

import java.time.Duration;
import java.time.Instant;

/**
 * A turn was refused before anything was sent: the account's limit is used up until
 * {@link #resetsAt()}, which is further away than the client's bounded wait for it
 * ({@code CodexBuilder.waitForRateLimitReset(Duration)}). Start the turn again after the reset.
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (RateLimitedException e) {
 *     scheduler.retryAt(e.resetsAt());
 * }
 * }</pre>
 */
public class RateLimitedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final Instant resetsAt;
    private final Duration maxWait;

    /**
     * @param resetsAt when the limit resets
     * @param maxWait the longest the client waits for a reset
     */
    public RateLimitedException(Instant resetsAt, Duration maxWait) {
        super("The account's usage limit is reached until " + resetsAt + ", more than the " + maxWait
                + " this client waits for a reset; the turn was not started");
        this.resetsAt = resetsAt;
        this.maxWait = maxWait;
    }

    /** @return when the limit resets */
    public Instant resetsAt() {
        return resetsAt;
    }

    /** @return the longest the client waits for a reset */
    public Duration maxWait() {
        return maxWait;
    }
}
