package dev.codex4j;

import dev.codex4j.protocol.CodexException;

/**
 * A turn ended with status {@code failed}. Carries the server's error (message and
 * {@code codexErrorInfo}) and the partial result (items completed before the failure).
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (TurnFailedException e) {
 *     System.err.println(e.error().message() + " / " + e.error().codexErrorInfoName().orElse("?"));
 * }
 * }</pre>
 */
public class TurnFailedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final transient RunResult result;
    private final transient TurnError error;

    /**
     * @param result the failed turn's result
     * @param error the server's error
     */
    public TurnFailedException(RunResult result, TurnError error) {
        super("Turn " + result.turnId() + " failed: " + error.message()
                + error.codexErrorInfoName().map(k -> " (" + k + ")").orElse(""));
        this.result = result;
        this.error = error;
    }

    /** @return the partial result, status {@code failed} */
    public RunResult result() {
        return result;
    }

    /** @return the server's error */
    public TurnError error() {
        return error;
    }
}
