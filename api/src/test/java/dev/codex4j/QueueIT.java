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
import dev.codex4j.protocol.types.ThreadItem;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    record OrderQuery(String orderId) {}

    /**
     * Queued input the server starts by itself when the running turn ends is adopted by
     * followServerTurns (a TurnHandle to run), and its call of the thread's own tool is answered by
     * the thread's chain.
     */
    @Test
    void aQueuedTurnTheServerStartsIsFollowedAndAnswersTheThreadsTool() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Tool lookup = Tool.of("lookup_order", "Looks an order up by id", OrderQuery.class, q -> {
            calls.incrementAndGet();
            return "order " + q.orderId() + " shipped";
        });
        offline.server().enqueue(ModelReply.message("first answer").eventDelay(Duration.ofMillis(300)),
                ModelReply.functionCall("lookup_order", "{\"orderId\":\"Q1\"}"),
                ModelReply.message("queued answer"));
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().tools(List.of(lookup)).build());
            BlockingQueue<RunResult> followed = new LinkedBlockingQueue<>();
            try (Subscription s = thread.followServerTurns(h -> followed.add(h.run()))) {
                TurnHandle running = thread.turn("first");
                thread.queue("then look Q1 up");
                RunResult first = running.run();
                assertEquals("first answer", first.finalResponse().orElseThrow());
                RunResult next = followed.poll(30, TimeUnit.SECONDS);
                assertTrue(next != null, "the server's own turn was followed");
                assertEquals(TurnStatus.COMPLETED, next.status(), next.toString());
                assertEquals("queued answer", next.finalResponse().orElseThrow());
                assertTrue(next.items(ThreadItem.DynamicToolCall.class).getFirst().success(), next.toString());
                assertEquals(1, calls.get());
                assertEquals(2, thread.spend().turns(), "the followed turn is counted");
                assertTrue(followed.isEmpty(), "the client's own turn was not followed: " + followed);
            }
        }
    }
}
