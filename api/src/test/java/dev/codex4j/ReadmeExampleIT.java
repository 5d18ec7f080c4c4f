package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's "Testing your code" example, compiled and run as is. */
class ReadmeExampleIT {
    @Test
    void answersWithTheModelsText() {
        try (OfflineCodex offline = OfflineCodex.start();
             Codex codex = Codex.builder().launch(offline.launch()).build()) {
            offline.server().enqueue(ModelReply.message("hello"));

            RunResult r = codex.startThread().run("hi");

            assertEquals("hello", r.finalResponse().orElseThrow());
            assertEquals("hi", offline.server().takeRequest(Duration.ofSeconds(5)).lastUserText());
        }
    }
}
