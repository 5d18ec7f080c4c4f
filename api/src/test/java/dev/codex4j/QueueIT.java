package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ExperimentalApiRequiredException;
import dev.codex4j.protocol.types.QueuedSubmission;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.protocol.types.UserInput;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Queued follow-up input while a turn runs, against the real Codex CLI. */
class QueueIT {
    private OfflineCodex offline;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        offline.server().defaultReply(req -> req.lastUserText().contains("long task") ? ModelReply.stall()
                : ModelReply.message("mock reply to: " + req.lastUserText()));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private static String text(QueuedSubmission s) {
        return ((UserInput.Text) s.input().getFirst()).text();
    }

    @Test
    void queuedInputIsListedReorderedCancelledAndRunLater() {
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            CodexThread thread = codex.startThread();
            TurnHandle running = thread.turn("long task");
            QueuedSubmission first = thread.queue("first follow-up");
            QueuedSubmission second = thread.queue("second follow-up");
            QueuedSubmission third = thread.queue(List.of(Inputs.text("third follow-up")));
            assertEquals(List.of(first.id(), second.id(), third.id()), thread.queued().stream().map(QueuedSubmission::id).toList());

            thread.reorderQueue(List.of(third.id(), first.id(), second.id()));
            assertTrue(thread.cancelQueued(second.id()));
            assertFalse(thread.cancelQueued(second.id()), "already gone");
            assertEquals(List.of("third follow-up", "first follow-up"), thread.queued().stream().map(QueueIT::text).toList());

            running.interrupt(); // an interrupted turn leaves the queue waiting
            assertEquals(TurnStatus.INTERRUPTED, running.run().status());
            RunResult next = thread.startQueued().run();
            assertEquals("mock reply to: third follow-up", next.finalResponse().orElseThrow());
            // a turn that completes starts the next queued input by itself (the server's own turn)
            await().atMost(Duration.ofSeconds(30)).until(() -> offline.server().requests().getLast().lastUserText()
                    .equals("first follow-up"));
            await().atMost(Duration.ofSeconds(30)).until(() -> thread.queued().isEmpty());
        }
    }

    @Test
    void withoutTheExperimentalApiTheSdkRefusesBeforeSending() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread();
            var e = assertThrows(ExperimentalApiRequiredException.class, () -> thread.queue("later"));
            assertEquals("thread/queue/add", e.feature());
        }
    }
}
