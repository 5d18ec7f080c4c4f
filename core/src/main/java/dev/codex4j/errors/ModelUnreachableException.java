package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;
import dev.codex4j.protocol.types.TurnError;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A turn gave up because the app-server could not reach the model provider for longer than
 * {@code CodexBuilder#reconnectTimeout(Duration)}: it kept sending {@code error} notifications
 * with {@code willRetry} ("Reconnecting... 3/5", "Reconnecting... waiting for network") and the
 * model never answered. The turn has been interrupted. Typical causes: no network, a wrong
 * {@code base_url}, a proxy, a provider that is down.
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (ModelUnreachableException e) {
 *     System.err.println("Model unreachable for " + e.retryingFor().toSeconds() + " s: "
 *             + e.lastError().map(TurnError::message).orElse("?"));
 * }
 * }</pre>
 */
public class ModelUnreachableException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String turnId;
    private final Duration retryingFor;
    private final transient @Nullable TurnError lastError;

    /**
     * @param turnId the turn
     * @param retryingFor how long the server had been retrying
     * @param lastError the last error it said it would retry
     */
    public ModelUnreachableException(String turnId, Duration retryingFor, @Nullable TurnError lastError) {
        super("Turn " + turnId + ": the app-server could not reach the model provider for " + retryingFor.toSeconds()
                + " s" + (lastError == null ? "" : " (" + lastError.message()
                + (lastError.additionalDetails() == null ? "" : ": " + lastError.additionalDetails()) + ")")
                + "; the turn was interrupted. Check the network and the provider's base_url.");
        this.turnId = turnId;
        this.retryingFor = retryingFor;
        this.lastError = lastError;
    }

    /** @return the turn */
    public String turnId() {
        return turnId;
    }

    /** @return how long the server had been retrying when the turn gave up */
    public Duration retryingFor() {
        return retryingFor;
    }

    /** @return the last error the server said it would retry */
    public Optional<TurnError> lastError() {
        return Optional.ofNullable(lastError);
    }
}
