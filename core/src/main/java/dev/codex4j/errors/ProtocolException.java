package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * A line from the peer is not a valid protocol message: malformed JSON, not an object, or a
 * message of no known shape. The message names the problem; {@link #line()} carries the
 * offending line, truncated.
 *
 * <pre>{@code
 * try {
 *     ProtocolCodec.decode(line);
 * } catch (ProtocolException e) {
 *     log.log(WARNING, e.getMessage() + ": " + e.line());
 * }
 * }</pre>
 */
public class ProtocolException extends CodexException {
    private static final long serialVersionUID = 1L;
    /** How many characters of the offending line are kept. */
    public static final int MAX_EXCERPT = 256;

    private final @Nullable String line;

    /**
     * @param problem what is wrong
     * @param line the offending line (kept truncated), or {@code null}
     * @param cause the parser's exception, or {@code null}
     */
    public ProtocolException(String problem, @Nullable String line, @Nullable Throwable cause) {
        super(line == null ? problem : problem + " in line: " + excerpt(line), cause);
        this.line = line == null ? null : excerpt(line);
    }

    /**
     * For subclasses that describe the problem fully in their message and may skip the stack trace
     * (a decode error inside a reader loop is data, not a bug; filling a trace there costs more than
     * the decode).
     *
     * @param message the full message
     * @param cause the cause, or {@code null}
     * @param writableStackTrace whether to fill in the stack trace
     */
    protected ProtocolException(String message, @Nullable Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
        this.line = null;
    }

    /** @return the offending line, truncated to {@value #MAX_EXCERPT} characters, or {@code null} */
    public @Nullable String line() {
        return line;
    }

    static String excerpt(String line) {
        if (line.length() <= MAX_EXCERPT) {
            return line;
        }
        return line.substring(0, MAX_EXCERPT) + "... (" + line.length() + " chars)";
    }
}
