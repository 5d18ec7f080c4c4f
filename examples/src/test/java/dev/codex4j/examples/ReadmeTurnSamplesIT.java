package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.Inputs;
import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.TurnHandle;
import dev.codex4j.TurnOptions;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's turn and result samples ("Threads and turns", "Results"), as written there, against the real CLI. */
@Timeout(120)
class ReadmeTurnSamplesIT {
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /** Runs the sample with System.out captured. */
    private static String printed(Runnable sample) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            sample.run();
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theEventsSampleSwitchesOnTypedItems() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).build()) {
            offline.server().defaultReply(r -> r.isToolFollowUp() ? ModelReply.message("refactored")
                    : ModelReply.execCommand("echo from-the-readme").eventDelay(Duration.ofMillis(200)));
            CodexThread thread = codex.startThread();
            String out = printed(() -> {
                // --- as in README.md, "Threads and turns" ---
                TurnHandle turn = thread.turn("Refactor the parser", TurnOptions.builder()
                        .effort("high").sandbox(SandboxMode.WORKSPACE_WRITE).timeout(Duration.ofMinutes(10)).build());
                turn.steer("Keep the public API unchanged.");
                try (TurnEventStream events = turn.events()) {
                    for (TurnEvent e : events) {
                        switch (e) {
                            case TurnEvent.AgentMessageDelta d -> System.out.print(d.delta());
                            case TurnEvent.ItemCompleted(ThreadItem.CommandExecution c) ->
                                    System.out.println("\n$ " + c.command() + " -> exit " + c.exitCode());
                            case TurnEvent.ItemCompleted(ThreadItem.FileChange f) ->
                                    System.out.println("\n[" + f.changes().size() + " files changed]");
                            case TurnEvent.Completed c -> System.out.println("[" + c.result().status() + "]");
                            default -> {}
                        }
                    }
                }
                // --- end of the README's sample ---
            });
            assertTrue(out.contains("echo from-the-readme") && out.contains("-> exit 0"), out);
            assertTrue(out.contains("refactored") && out.endsWith("[completed]\n"), out);
            assertTrue(offline.server().requests().stream().anyMatch(q -> q.userTexts().contains("Keep the public API unchanged.")),
                    "the steer reached the model");
        }
    }

    @Test
    void theResultsSampleReadsTypedItemsAndUsage(@TempDir Path dir) throws Exception {
        Path screenshot = Files.write(dir.resolve("screenshot.png"), PNG);
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).build()) {
            offline.server().defaultReply(r -> r.isToolFollowUp() ? ModelReply.message("all green")
                    : ModelReply.execCommand("echo tests-pass"));
            CodexThread thread = codex.startThread();
            RunResult[] result = new RunResult[1];
            String out = printed(() -> {
                // --- as in README.md, "Results" ---
                RunResult r = thread.run(List.of(Inputs.text("Run the tests, then fix what fails"), Inputs.localImage(screenshot)));
                for (ThreadItem.CommandExecution c : r.items(ThreadItem.CommandExecution.class)) {
                    System.out.println(c.command() + " -> exit " + c.exitCode());
                }
                r.usage().ifPresent(u -> System.out.println(u.total().totalTokens() + " tokens so far"));
                // --- end of the README's sample ---
                result[0] = r;
            });
            assertTrue(out.contains("echo tests-pass") && out.contains("-> exit 0"), out);
            assertTrue(out.contains(" tokens so far"), out);
            assertEquals("all green", result[0].finalResponse().orElseThrow());
            assertTrue(offline.server().requests().getFirst().body().toString().contains("data:image/png;base64,"),
                    "the local image reached the model");
        }
    }
}
