package dev.codex4j.errors;

import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The connection to the app-server is gone: the child process exited, its output closed, or the
 * client was closed. Every pending request, turn and waiting consumer fails with this; it carries
 * the exit code and the tail of the child's stderr, which usually says why.
 *
 * <pre>{@code
 * catch (TransportClosedException e) {
 *     System.err.println("codex exited " + e.exitCode() + ":\n" + e.stderrTail());
 * }
 * }</pre>
 */
public class TransportClosedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final @Nullable Integer exitCode;
    private final String stderrTail;

    /**
     * @param reason why the transport closed
     * @param exitCode the child's exit code, or null if unknown or still running
     * @param stderrTail the last lines of the child's stderr (may be empty)
     * @param cause the underlying exception, or null
     */
    public TransportClosedException(String reason, @Nullable Integer exitCode, String stderrTail,
            @Nullable Throwable cause) {
        super(reason + (exitCode == null ? "" : " (exit code " + exitCode + ")")
                + (stderrTail.isBlank() ? "" : "; stderr tail:\n" + stderrTail), cause);
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    /** @return the child's exit code, if it exited */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** @return the last lines the child wrote to stderr */
    public String stderrTail() {
        return stderrTail;
    }
}
