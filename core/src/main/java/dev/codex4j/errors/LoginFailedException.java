package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A login ended without an account: the server's {@code account/login/completed} said
 * {@code success: false} (a refused or expired sign-in, or a cancelled one).
 *
 * <pre>{@code
 * try (Login login = codex.loginWithChatGpt()) {
 *     openBrowser(((LoginAccountResponse.Chatgpt) login.response()).authUrl());
 *     login.await(Duration.ofMinutes(5));
 * } catch (LoginFailedException e) {
 *     System.err.println("Sign-in failed: " + e.error().orElse("(no reason given)"));
 * }
 * }</pre>
 */
public class LoginFailedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String loginId;
    private final @Nullable String error;

    /**
     * @param loginId the login, if it had an id
     * @param error the server's reason, if it gave one
     */
    public LoginFailedException(@Nullable String loginId, @Nullable String error) {
        super("Login " + (loginId == null ? "" : loginId + " ") + "failed: "
                + (error == null ? "the server gave no reason" : error));
        this.loginId = loginId;
        this.error = error;
    }

    /** @return the login's id, if it had one (an API-key login has none) */
    public Optional<String> loginId() {
        return Optional.ofNullable(loginId);
    }

    /** @return the server's reason, if it gave one */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }
}
