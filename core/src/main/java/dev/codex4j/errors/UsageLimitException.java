package dev.codex4j.errors;

import dev.codex4j.protocol.types.CodexErrorInfo;
import dev.codex4j.protocol.types.RateLimitSnapshot;
import dev.codex4j.protocol.types.TurnError;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A turn failed because the account hit a limit: the server's {@code codexErrorInfo} is
 * {@code usageLimitExceeded} (the plan's usage is used up until a window resets) or
 * {@code rateLimitExceeded} (too many requests). Carries the account's limits as the client last
 * heard of them ({@code account/rateLimits/updated}, which the server sends before the failure)
 * and, when they say so, when the limit resets.
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (UsageLimitException e) {
 *     e.resetsAt().ifPresent(at -> scheduler.retryAt(at));
 * }
 * }</pre>
 *
 * <p>To wait for the reset instead of failing the next turn, see
 * {@code CodexBuilder.waitForRateLimitReset(Duration)}.
 */
public class UsageLimitException extends TurnFailedException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable RateLimitSnapshot limits;
    private final @Nullable Instant resetsAt;

    /**
     * @param turnId the failed turn
     * @param result the failed turn's result (the SDK's {@code dev.codex4j.RunResult})
     * @param error the server's error ({@code usageLimitExceeded} or {@code rateLimitExceeded})
     * @param limits the account's limits as last reported, or null when none were
     * @param resetsAt when the limit that was hit resets, or null when not known
     */
    public UsageLimitException(String turnId, Object result, TurnError error, @Nullable RateLimitSnapshot limits,
            @Nullable Instant resetsAt) {
        super(turnId, result, error, resetsAt == null ? "" : "; the limit resets at " + resetsAt);
        this.limits = limits;
        this.resetsAt = resetsAt;
    }

    /**
     * @param error a turn's error
     * @return whether it is a usage or rate limit ({@code usageLimitExceeded}, {@code rateLimitExceeded})
     */
    public static boolean isLimit(@Nullable TurnError error) {
        if (error == null) {
            return false;
        }
        CodexErrorInfo info = error.codexErrorInfo();
        return CodexErrorInfo.USAGE_LIMIT_EXCEEDED.equals(info) || CodexErrorInfo.RATE_LIMIT_EXCEEDED.equals(info);
    }

    /** @return whether this is a rate limit ({@code rateLimitExceeded}) rather than used-up usage */
    public boolean isRateLimit() {
        return CodexErrorInfo.RATE_LIMIT_EXCEEDED.equals(error().codexErrorInfo());
    }

    /** @return the account's limits as the client last heard of them before the failure, if ever */
    public Optional<RateLimitSnapshot> limits() {
        return Optional.ofNullable(limits);
    }

    /**
     * @return when the limit resets: the latest {@code resetsAt} of the windows that were used up
     *     (at 100%) in {@link #limits()}; empty when no window said so
     */
    public Optional<Instant> resetsAt() {
        return Optional.ofNullable(resetsAt);
    }
}
