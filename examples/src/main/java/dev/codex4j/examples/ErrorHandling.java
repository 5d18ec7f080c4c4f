package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.testkit.ModelReply;

/** Error handling: a failed turn carries the server's error; retry it; RPC errors are typed. */
public final class ErrorHandling {
    private ErrorHandling() {}

    /** @param args unused */
    public static void main(String[] args) throws InterruptedException {
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(
                ModelReply.httpError(500), ModelReply.message("Worked on the second try.")))) {
            CodexThread thread = session.codex().startThread();
            RunResult result = null;
            for (int attempt = 1; attempt <= 3 && result == null; attempt++) {
                try {
                    result = thread.run("Do the thing");
                } catch (TurnFailedException e) {
                    System.out.println("attempt " + attempt + " failed: " + e.error().message()
                            + " [" + e.codexErrorInfoName().orElse("?") + "]");
                    Thread.sleep(100L * attempt);
                }
            }
            System.out.println(result == null ? "gave up" : result.finalResponse().orElse(""));
            try {
                session.codex().resumeThread("no-such-thread");
            } catch (CodexRpcException e) {
                System.out.println("typed RPC error " + e.code() + ": " + e.rpcMessage());
            }
        }
    }
}
