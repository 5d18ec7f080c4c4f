package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationRequiredException;
import dev.codex4j.protocol.types.Account;
import dev.codex4j.testkit.OfflineCodex;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * API-key sign-in against the real Codex CLI, in an isolated {@code CODEX_HOME} and with the
 * OpenAI provider (which needs an account): no network is needed to store a key.
 */
class LoginIT {

    @Test
    void anApiKeyLoginLetsTurnsStartAndALogoutMakesThemFailFastAgain() {
        try (OfflineCodex offline = OfflineCodex.builder().config("model_provider", "\"openai\"").start();
                Codex codex = Codex.builder().launch(offline.launch()).build()) {
            assertNull(codex.account().account());
            CodexThread thread = codex.startThread();
            assertThrows(AuthenticationRequiredException.class, () -> thread.turn("q"));

            codex.loginWithApiKey("sk-codex4j-fake-key");
            assertInstanceOf(Account.ApiKey.class, codex.account().account());
            codex.session().checkCanRunTurns(); // no longer throws: a turn would go to the provider with the key
            assertTrue(Files.exists(offline.codexHome().resolve("auth.json")), "the key is stored in CODEX_HOME");

            codex.logout();
            assertNull(codex.account().account());
            assertThrows(AuthenticationRequiredException.class, () -> thread.turn("q"));
        }
    }
}
