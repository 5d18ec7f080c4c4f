package dev.codex4j.errors;

/**
 * Codex cannot authenticate: the app-server has no credentials for the model provider it is
 * configured with, or a remote app-server refused the client's token. The message says which,
 * and what to do.
 *
 * <pre>{@code
 * catch (AuthenticationException e) { System.err.println(e.getMessage()); }
 * }</pre>
 */
public class AuthenticationException extends CodexException {
    private static final long serialVersionUID = 1L;

    /** @param message what is missing or refused, and how to fix it */
    public AuthenticationException(String message) {
        super(message);
    }

    /**
     * @param message what is missing or refused
     * @param cause the underlying exception
     */
    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
