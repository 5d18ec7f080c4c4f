package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * The app-server went away while a call or a turn was in flight, and the client (or fleet) that owns
 * the connection goes on without it: it restarts or reconnects the server, or places new work on
 * another one. Says whether the failed operation may be sent again as is.
 *
 * <p>{@link #retrySafe()} is {@code true} only when the server cannot have acted on the operation:
 * the request was never written, or it was a read. A turn whose {@code turn/start} was written may
 * have run commands or changed files before the server died, so it is never retry-safe; read the
 * thread ({@code thread.read()}) before starting it again.
 *
 * <pre>{@code
 * try {
 *     return thread.run(prompt);
 * } catch (ServerLostException e) {
 *     if (e.retrySafe()) return thread.run(prompt);   // the thread is resumed on its next use
 *     throw e;
 * }
 * }</pre>
 */
public class ServerLostException extends TransportClosedException {
    private static final long serialVersionUID = 1L;

    private final boolean retrySafe;

    /**
     * @param reason why the server was lost, and what was in flight
     * @param exitCode the child's exit code, or null if unknown (a remote server)
     * @param stderrTail the last lines of the child's stderr (may be empty)
     * @param retrySafe whether the failed operation may be sent again as is
     * @param cause the underlying exception, or null
     */
    public ServerLostException(String reason, @Nullable Integer exitCode, String stderrTail, boolean retrySafe,
            @Nullable Throwable cause) {
        super(reason + (retrySafe ? " [retry-safe]" : " [not retry-safe]"), exitCode, stderrTail, cause);
        this.retrySafe = retrySafe;
    }

    /** @return whether the failed operation may be sent again as is (the server cannot have acted on it) */
    public boolean retrySafe() {
        return retrySafe;
    }
}
