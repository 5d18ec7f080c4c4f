package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadGoalSetParams;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A goal run against the real Codex CLI and the mock model: the server runs continuation turns by
 * itself until the goal's token budget stops it (observed: at a turn boundary), and the run holds
 * every turn with its usage.
 */
class GoalRunIT {
    @Test
    void aGoalRunsThreeContinuationTurnsUntilItsTokenBudgetStopsIt() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 6; i++) {
                offline.server().enqueue(ModelReply.message("step " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            GoalResult r;
            try (GoalRun run = thread.startGoal("do it", 2500L)) {
                r = run.await(Duration.ofSeconds(60));
            }
            assertFalse(r.interrupted(), r.toString());
            assertEquals(ThreadGoalStatus.BUDGET_LIMITED, r.goal().status(), r.toString());
            assertEquals(3, r.turns().size(), r.toString());
            for (RunResult t : r.turns()) {
                assertEquals(TurnStatus.COMPLETED, t.status());
                assertEquals(1001, t.turnUsage().orElseThrow().totalTokens(), t.toString());
            }
            assertEquals(3003, r.usage().totalTokens());
            assertEquals("step 3", r.finalResponse().orElseThrow());
            assertTrue(r.goal().tokensUsed() >= 2500, r.toString());
        }
    }

    @Test
    void aGoalInterruptedIsPausedAndCanBeResumedAndCleared() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            offline.server().defaultReply(req -> ModelReply.message("working on it")
                    .usage(new ModelReply.Usage(10, 0, 1, 0)).eventDelay(Duration.ofMillis(20)));
            CodexThread thread = codex.startThread();
            GoalResult first;
            try (GoalRun run = thread.startGoal("a long job", null)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !run.result().turns().isEmpty());
                run.interrupt();
                first = run.await(Duration.ofSeconds(30));
            }
            assertTrue(first.interrupted(), first.toString());
            assertEquals(ThreadGoalStatus.PAUSED, first.goal().status(), first.toString());
            int callsWhenPaused = offline.server().requestCount();

            GoalResult second;
            try (GoalRun run = thread.resumeGoal()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !run.result().turns().isEmpty());
                run.interrupt();
                second = run.await(Duration.ofSeconds(30));
            }
            assertTrue(offline.server().requestCount() > callsWhenPaused, "the resumed goal ran again");
            assertEquals(ThreadGoalStatus.PAUSED, second.goal().status(), second.toString());
            assertTrue(second.turns().stream().noneMatch(t -> first.turns().stream()
                    .anyMatch(f -> f.turnId().equals(t.turnId()))), "the resumed run holds only its own turns");
            thread.clearGoal();
        }
    }

    @Test
    void turnsTheServerStartsWithNoGoalRunWaitingReachTheThreadsSubscribers() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 4; i++) {
                offline.server().enqueue(ModelReply.message("alone " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            List<String> completed = new CopyOnWriteArrayList<>();
            try (Subscription s = thread.subscribe(n -> {
                if (n instanceof ServerNotification.TurnCompleted c) {
                    completed.add(c.params().turn().id());
                }
            })) {
                // the raw method: no GoalRun listens; the budget stops the goal after two turns
                codex.request(ClientMethods.THREAD_GOAL_SET, ThreadGoalSetParams.builder().threadId(thread.id())
                        .objective("nobody waits").tokenBudget(1500L).build());
                await().atMost(Duration.ofSeconds(30)).until(() -> completed.size() >= 2);
            }
            assertEquals(2, new java.util.HashSet<>(completed).size(), completed.toString());
        }
    }
}
