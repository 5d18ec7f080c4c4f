package dev.codex4j.errors;

/**
 * A turn's events were discarded by the SDK before anyone consumed them, so they cannot be
 * delivered: a memory bound acted (events held for a turn nobody consumed passed the connection's
 * budget or time to live), or the line of one of its events was over the length limit. The turn
 * may still be running on the server; the message says which bound acted and which setting
 * raises it. Never thrown for a turn whose consumer is reading it, nor for one being started.
 *
 * <pre>{@code
 * try {
 *     RunResult r = turn.run();
 * } catch (TurnDiscardedException e) {
 *     log.warn("turn " + e.turnId() + " lost: " + e.getMessage());
 * }
 * }</pre>
 */
public class TurnDiscardedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String turnId;

    /**
     * @param turnId the turn
     * @param reason why its events were discarded
     */
    public TurnDiscardedException(String turnId, String reason) {
        super("The events of turn " + turnId + " were discarded: " + reason);
        this.turnId = turnId;
    }

    /** @return the turn whose events were discarded */
    public String turnId() {
        return turnId;
    }
}
