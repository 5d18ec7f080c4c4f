package dev.codex4j;

import dev.codex4j.protocol.CodexException;
import java.time.Duration;

/**
 * A turn did not end within {@link TurnOptions#timeout()}. The SDK asked the server to interrupt
 * it, waited up to 10 s for the interruption to take effect, and then threw this.
 *
 * <pre>{@code
 * catch (TurnTimeoutException e) { System.err.println(e.turnId() + " took longer than " + e.timeout()); }
 * }</pre>
 */
public class TurnTimeoutException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String turnId;
    private final Duration timeout;

    /**
     * @param turnId the turn
     * @param timeout the bound it exceeded
     */
    public TurnTimeoutException(String turnId, Duration timeout) {
        super("Turn " + turnId + " did not complete within " + timeout.toMillis() + " ms; it was interrupted");
        this.turnId = turnId;
        this.timeout = timeout;
    }

    /** @return the turn */
    public String turnId() {
        return turnId;
    }

    /** @return the bound */
    public Duration timeout() {
        return timeout;
    }
}
