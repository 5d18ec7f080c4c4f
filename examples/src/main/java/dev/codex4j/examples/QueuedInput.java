package dev.codex4j.examples;

import dev.codex4j.RunResult;
import dev.codex4j.Subscription;
import dev.codex4j.TurnHandle;
import dev.codex4j.protocol.types.QueuedSubmission;
import dev.codex4j.protocol.types.UserInput;
import dev.codex4j.testkit.ModelReply;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Queueing follow-up requests while a turn runs (experimental {@code thread/queue/*}): list,
 * reorder and cancel them, then run the next one; the one after it the server starts by itself when
 * that turn completes, and {@code followServerTurns} hands it over. Steer instead to change the
 * running turn itself.
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
            // when a turn completes, the server starts the next queued input by itself: follow those turns
            BlockingQueue<RunResult> serverTurns = new LinkedBlockingQueue<>();
            try (Subscription follow = thread.followServerTurns(turn -> serverTurns.add(turn.run()))) {
                System.out.println(thread.startQueued().run().finalResponse().orElse(""));
                RunResult next = serverTurns.poll(30, TimeUnit.SECONDS);
                System.out.println("[server-started] " + (next == null ? "none" : next.finalResponse().orElse("")));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
