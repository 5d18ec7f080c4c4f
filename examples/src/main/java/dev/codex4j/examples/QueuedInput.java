package dev.codex4j.examples;

import dev.codex4j.TurnHandle;
import dev.codex4j.protocol.types.QueuedSubmission;
import dev.codex4j.protocol.types.UserInput;
import dev.codex4j.testkit.ModelReply;

/**
 * Queueing follow-up requests while a turn runs (experimental {@code thread/queue/*}): list,
 * reorder and cancel them, then run the next one. Steer instead to change the running turn itself.
 */
public final class QueuedInput {
    private QueuedInput() {}

    /** @param args none */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(request ->
                request.lastUserText().contains("long") ? ModelReply.stall()   // a turn that keeps running
                        : ModelReply.message("Done: " + request.lastUserText())), b -> b.experimentalApi(true))) {
            var thread = session.codex().startThread();
            TurnHandle running = thread.turn("A long refactoring");
            QueuedSubmission docs = thread.queue("Then update the docs");
            QueuedSubmission tests = thread.queue("Then run the tests");
            QueuedSubmission release = thread.queue("Then cut a release");
            thread.reorderQueue(java.util.List.of(tests.id(), docs.id(), release.id()));
            thread.cancelQueued(release.id());
            for (QueuedSubmission q : thread.queued()) {
                System.out.println("[queued] " + ((UserInput.Text) q.input().getFirst()).text());
            }
            running.interrupt();                                  // an interrupted turn leaves the queue waiting
            System.out.println("[running turn] " + running.run().status());
            System.out.println(thread.startQueued().run().finalResponse().orElse(""));
        }
    }
}
