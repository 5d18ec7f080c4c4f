package dev.codex4j.flow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.GoalResult;
import dev.codex4j.GoalRun;
import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link GoalRun#publisher()} against the real Codex CLI and the mock model: demand bounds what is
 * signalled, the events come in the order of {@link GoalRun#events()} and complete with the run; a
 * second subscriber is refused; a cancel stops the signals while the goal runs on.
 */
class GoalPublisherIT {
    @Test
    void demandBoundsTheSignalsWhichComeInOrderAndCompleteWithTheRun() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 6; i++) {
                offline.server().enqueue(ModelReply.message("step " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            try (GoalRun run = thread.startGoal("do it", 2500L)) {
                ReactorInteropTest.Recorder<TurnEvent> r = new ReactorInteropTest.Recorder<>();
                run.publisher().subscribe(r);
                ReactorInteropTest.Recorder<TurnEvent> second = new ReactorInteropTest.Recorder<>();
                run.publisher().subscribe(second);
                await().atMost(Duration.ofSeconds(10)).until(() -> second.error.get() != null);
                assertInstanceOf(IllegalStateException.class, second.error.get());

                await().atMost(Duration.ofSeconds(10)).until(() -> r.subscription.get() != null);
                // the server runs all three turns while nothing is requested: nothing is signalled
                await().atMost(Duration.ofSeconds(60)).until(() -> run.result().turns().size() == 3
                        && !ThreadGoalStatus.ACTIVE.equals(run.result().goal().status()));
                assertEquals(0, r.items.size());
                r.subscription.get().request(2);
                await().atMost(Duration.ofSeconds(10)).until(() -> r.items.size() == 2);
                // nothing beyond the demand
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> r.items.size() == 2);
                assertTrue(!r.completed);
                r.subscription.get().request(Long.MAX_VALUE);
                await().atMost(Duration.ofSeconds(10)).until(() -> r.completed);
                assertEquals(null, r.error.get());

                List<String> completedTurns = new ArrayList<>();
                int started = 0;
                boolean inTurn = false;
                for (TurnEvent e : r.items) {
                    if (e instanceof TurnEvent.Notification n && n.notification() instanceof ServerNotification.TurnStarted) {
                        assertTrue(!inTurn, "a turn started before the previous one completed");
                        inTurn = true;
                        started++;
                    } else if (e instanceof TurnEvent.Completed c) {
                        assertTrue(inTurn, "a Completed outside a turn");
                        inTurn = false;
                        completedTurns.add(c.result().turnId());
                    }
                }
                assertEquals(3, started);
                assertEquals(run.result().turns().stream().map(RunResult::turnId).toList(), completedTurns);
            }
        }
    }

    @Test
    void aCancelStopsTheSignalsAndTheGoalRunsOn() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 6; i++) {
                offline.server().enqueue(ModelReply.message("step " + i).usage(new ModelReply.Usage(1000, 0, 1, 0))
                        .eventDelay(Duration.ofMillis(20)));
            }
            CodexThread thread = codex.startThread();
            try (GoalRun run = thread.startGoal("do it", 2500L)) {
                ReactorInteropTest.Recorder<TurnEvent> r = new ReactorInteropTest.Recorder<>();
                run.publisher(Duration.ZERO).subscribe(r);
                await().atMost(Duration.ofSeconds(10)).until(() -> r.subscription.get() != null);
                r.subscription.get().request(1);
                await().atMost(Duration.ofSeconds(30)).until(() -> r.items.size() == 1);
                r.subscription.get().cancel();
                r.subscription.get().request(100); // after cancel: nothing
                GoalResult result = run.await(Duration.ofSeconds(60));
                assertEquals(3, result.turns().size(), result.toString());
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> r.items.size() == 1);
                assertTrue(!r.completed && r.error.get() == null, "no signal after cancel");
            }
        }
    }
}
