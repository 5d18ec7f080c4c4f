package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.testkit.ModelReply;

/** The quickstart: start a thread, run a turn, print the answer. */
public final class Quickstart {
    private Quickstart() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(
                ModelReply.commentary("Looking at the repository layout.")
                        .thenMessage("codex4j is a Java SDK for the Codex app-server.")))) {
            System.out.println("Connected: " + session.codex().metadata().userAgent());
            CodexThread thread = session.codex().startThread();
            RunResult result = thread.run("Summarize this repo in one sentence");
            System.out.println(result.finalResponse().orElse("(no answer)"));
            System.out.println("[" + result.status() + ", " + result.items().size() + " items, "
                    + result.durationMs() + " ms]");
        }
    }
}
