package dev.codex4j.errors;

/**
 * The app-server needs an OpenAI account (its {@code account/read} says
 * {@code requiresOpenaiAuth} and there is no account), so a turn would only retry to connect and
 * wait for the network. Thrown at once, before the turn is sent. Sign in (with the Codex CLI's
 * {@code codex login}, an API key in the environment, or the app-server's login flow), or configure
 * a model provider that needs no OpenAI account.
 *
 * <pre>{@code
 * catch (AuthenticationRequiredException e) { promptForLogin(); }
 * }</pre>
 */
public class AuthenticationRequiredException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    /** @param message what is missing and how to fix it */
    public AuthenticationRequiredException(String message) {
        super(message);
    }
}
