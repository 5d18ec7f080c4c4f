package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The event listener and thread subscriptions against the real Codex CLI and the mock model. */
class ObservabilityIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aRealTurnIsReportedToTheListenerAndItsThreadsSubscribers() {
        EventListenerTest.Recorder rec = new EventListenerTest.Recorder();
        List<ServerNotification> threadEvents = new CopyOnWriteArrayList<>();
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.message("observed"));
            RunResult r;
            try (Codex codex = Codex.builder().launch(offline.launch()).eventListener(rec).build()) {
                CodexThread thread = codex.startThread();
                try (Subscription s = thread.subscribe(threadEvents::add)) {
                    r = thread.run("q");
                    await().atMost(WAIT).until(() -> threadEvents.stream()
                            .anyMatch(n -> n instanceof ServerNotification.TurnCompleted));
                }
            }
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertTrue(rec.has("opened codex4j/"), rec.lines.toString());
            assertTrue(rec.lines.contains("turnStarted " + r.turnId()), rec.lines.toString());
            assertTrue(rec.lines.contains("turnCompleted " + r.turnId() + " completed"), rec.lines.toString());
            assertTrue(rec.lines.contains("ended turn/start"), rec.lines.toString());
            assertTrue(threadEvents.stream().anyMatch(n -> n instanceof ServerNotification.ThreadStatusChanged),
                    threadEvents.toString());
            await().atMost(WAIT).until(() -> rec.closed != null);
        }
    }
}
