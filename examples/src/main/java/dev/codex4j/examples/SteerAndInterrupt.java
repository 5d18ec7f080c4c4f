package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.TurnHandle;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;

/** Steers a running turn with more input, then interrupts a long one. */
public final class SteerAndInterrupt {
    private SteerAndInterrupt() {}

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(request -> {
            String text = request.lastUserText();
            if (text.contains("essay")) {
                return ModelReply.longMessage(10_000).eventDelay(Duration.ofMillis(5));
            }
            if (text.contains("API unchanged")) {
                return ModelReply.message("Plan: split the lexer out, keeping the public API unchanged.");
            }
            return ModelReply.commentary("Reading the parser...").thenMessage("Plan: split the lexer out.")
                    .eventDelay(Duration.ofMillis(50));
        }))) {
            CodexThread thread = session.codex().startThread();

            TurnHandle turn = thread.turn("Plan a refactoring of the parser");
            turn.steer("Keep the public API unchanged.");
            System.out.println("steered: " + turn.run().finalResponse().orElse("(no answer)"));

            TurnHandle longTurn = thread.turn("Write a very long essay");
            Thread.sleep(300);
            longTurn.interrupt();
            RunResult r = longTurn.run();
            System.out.println("interrupted turn ended with status " + r.status());
        }
    }
}
