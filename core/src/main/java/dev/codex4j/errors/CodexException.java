package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception codex4j throws on purpose. Unchecked, like the rest.
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (CodexException e) {
 *     // transport closed, RPC error, turn failed, timeout...
 * }
 * }</pre>
 */
public class CodexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public CodexException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying exception, or null
     */
    public CodexException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * For exceptions that are data (a decode error per bad line): optionally without a stack trace.
     *
     * @param message what went wrong
     * @param cause the underlying exception, or null
     * @param enableSuppression whether suppressed exceptions are recorded
     * @param writableStackTrace whether the stack trace is filled in
     */
    protected CodexException(String message, @Nullable Throwable cause, boolean enableSuppression,
            boolean writableStackTrace) {
        super(message, cause, enableSuppression, writableStackTrace);
    }
}
