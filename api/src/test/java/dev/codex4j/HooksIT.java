package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.HookEventName;
import dev.codex4j.protocol.types.HookMetadata;
import dev.codex4j.protocol.types.HookOutputEntry;
import dev.codex4j.protocol.types.HookRunStatus;
import dev.codex4j.protocol.types.HookTrustStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server's own hooks against the real Codex CLI: {@code hooks/list} shows a command hook
 * configured for this client; once trusted (0.171.0 runs only trusted non-managed hooks: a
 * {@code hooks.state."<key>".trusted_hash} in the user's config) its run arrives as typed
 * {@link TurnEvent.HookStarted} and {@link TurnEvent.HookCompleted}.
 */
class HooksIT {
    @Test
    void aConfiguredHookIsListedAndItsRunArrivesAsTypedTurnEvents() throws Exception {
        try (OfflineCodex offline = OfflineCodex.builder()
                .config("hooks.UserPromptSubmit", "[{hooks=[{type=\"command\",command=\"echo hook-ran\"}]}]")
                .start()) {
            offline.server().defaultReply(req -> ModelReply.message("ok"));
            HookMetadata.Command hook;
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                List<HookMetadata> hooks = codex.listHooks().data().getFirst().hooks();
                assertEquals(1, hooks.size(), hooks.toString());
                hook = (HookMetadata.Command) hooks.getFirst();
                assertEquals("echo hook-ran", hook.command());
                assertEquals(HookEventName.USER_PROMPT_SUBMIT, hook.eventName());
                assertEquals(HookTrustStatus.UNTRUSTED, hook.trustStatus());
            }
            Files.writeString(offline.codexHome().resolve("config.toml"), "\n[hooks.state.\"" + hook.key() + "\"]\n"
                    + "trusted_hash = \"" + hook.currentHash() + "\"\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                assertEquals(HookTrustStatus.TRUSTED, ((HookMetadata.Command) codex.listHooks().data().getFirst().hooks().getFirst()).trustStatus());
                List<TurnEvent> hookEvents = new ArrayList<>();
                RunResult result = null;
                try (TurnEventStream events = codex.startThread().turn("hi").events()) {
                    for (TurnEvent e : events) {
                        switch (e) {
                            case TurnEvent.HookStarted s -> hookEvents.add(s);
                            case TurnEvent.HookCompleted c -> hookEvents.add(c);
                            case TurnEvent.Completed c -> result = c.result();
                            default -> {}
                        }
                    }
                }
                assertEquals("ok", result.finalResponse().orElseThrow());
                assertEquals(2, hookEvents.size(), hookEvents.toString());
                TurnEvent.HookStarted started = (TurnEvent.HookStarted) hookEvents.get(0);
                TurnEvent.HookCompleted completed = (TurnEvent.HookCompleted) hookEvents.get(1);
                assertEquals(HookRunStatus.RUNNING, started.run().status());
                assertEquals(HookEventName.USER_PROMPT_SUBMIT, started.run().eventName());
                assertEquals(started.run().id(), completed.run().id());
                assertEquals(HookRunStatus.COMPLETED, completed.run().status());
                assertTrue(completed.run().entries().stream().map(HookOutputEntry::text).anyMatch("hook-ran"::equals),
                        completed.run().entries().toString());
            }
        }
    }
}
