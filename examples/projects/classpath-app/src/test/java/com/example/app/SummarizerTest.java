package com.example.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SummarizerTest {
    @Test
    void returnsTheModelsAnswer() {
        try (OfflineCodex offline = OfflineCodex.start();
             Codex codex = Codex.builder().launch(offline.launch()).build()) {
            offline.server().enqueue(ModelReply.message("A Java SDK for the Codex app-server."));

            String summary = new Summarizer(codex).summarize("codex4j drives codex app-server from the JVM.");

            assertEquals("A Java SDK for the Codex app-server.", summary);
            assertTrue(offline.server().takeRequest(Duration.ofSeconds(5)).lastUserText()
                    .startsWith("Summarize in one line:"));
        }
    }

    @Test
    void theSdkIsOnTheClassPath() {
        assertFalse(Codex.class.getModule().isNamed());
    }
}
