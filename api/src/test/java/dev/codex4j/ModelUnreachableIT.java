package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ModelUnreachableException;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The real Codex CLI with its model gone (the mock model stopped): the server says "Reconnecting...
 * waiting for network" for ever, and the turn ends with {@link ModelUnreachableException}.
 */
class ModelUnreachableIT {

    @Test
    void aTurnWhoseModelIsGoneFailsWithModelUnreachable() {
        try (OfflineCodex offline = OfflineCodex.builder().config("model_providers.mock.stream_max_retries", "5").start();
                Codex codex = Codex.builder().launch(offline.launch()).reconnectTimeout(Duration.ofSeconds(3)).build()) {
            offline.server().close();
            CodexThread thread = codex.startThread();
            ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                    () -> thread.run("q", TurnOptions.builder().timeout(Duration.ofSeconds(90)).build()));
            assertTrue(e.lastError().orElseThrow().message().startsWith("Reconnecting"), e.getMessage());
        }
    }
}
