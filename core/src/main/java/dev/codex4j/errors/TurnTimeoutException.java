package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;
import java.time.Duration;

/**
 * A turn did not end within {@code TurnOptions#timeout()}. Thrown at the deadline, whatever the
 * server does; the SDK has asked the server to interrupt the turn (in the background, again until
 * it is accepted), but the turn may still be running until the server confirms its end, and the
 * thread takes a new turn only then.
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
        super("Turn " + turnId + " did not complete within " + timeout.toMillis()
                + " ms; an interrupt was requested (the turn ends once the server confirms it)");
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
