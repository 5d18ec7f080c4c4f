package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.BudgetExceededException;
import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Budgets on the turns the server starts by itself, against the real Codex CLI and the mock model:
 * a goal's continuation turn that crosses the client's token budget in flight is interrupted (its
 * result says so) and the goal paused; a queued turn the server starts after a turn that took the
 * spend over the thread's budget is interrupted (at once when the earlier turn was counted by then);
 * a goal is not set going over a budget.
 */
class GoalBudgetIT {
    @Test
    void aTokenBudgetStopsAGoalRunInItsSecondContinuationTurn() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true)
                        .budget(Budget.tokens(1500)).build()) {
            // turn 1 spends 1001 tokens (under 1500); turn 2's first call takes the spend to 2002 and
            // asks for a long command, during which the budget interrupts it; nothing more is asked for
            offline.server().enqueue(ModelReply.message("step 1").usage(new ModelReply.Usage(1000, 0, 1, 0)),
                    ModelReply.execCommand("sleep 20").usage(new ModelReply.Usage(1000, 0, 1, 0)),
                    ModelReply.message("never").eventDelay(Duration.ofMillis(300)));
            CodexThread thread = codex.startThread();
            long start = System.nanoTime();
            GoalResult r;
            try (GoalRun run = thread.startGoal("do it", null)) {
                r = run.await(Duration.ofSeconds(60));
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(2, r.turns().size(), r.toString());
            RunResult first = r.turns().get(0);
            assertEquals(TurnStatus.COMPLETED, first.status(), first.toString());
            assertTrue(first.budgetExceeded().isEmpty(), first.toString());
            RunResult second = r.turns().get(1);
            assertEquals(TurnStatus.INTERRUPTED, second.status(), second.toString());
            assertTrue(second.budgetExceeded().orElseThrow().contains("client's budget"), second.toString());
            assertTrue(r.budgetExceeded().orElseThrow().contains("client's budget"), r.toString());
            assertFalse(r.interrupted(), r.toString());
            assertEquals(ThreadGoalStatus.PAUSED, r.goal().status(), r.toString());
            assertTrue(ms < 15_000, "interrupted while the command ran: " + ms + " ms");
            assertTrue(second.finalResponse().isEmpty(), "the answer after the command never came: " + second);
            // nothing more is asked of the model once the run ended, and nothing for a third turn: the
            // server may ask once more in the second turn, with the aborted command's output, before
            // the interrupt ends it (observed now and then)
            int calls = offline.server().requestCount();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> offline.server().requestCount() == calls);
            for (var q : offline.server().requests()) {
                String meta = q.header("x-codex-turn-metadata").orElse("");
                assertTrue(meta.contains("\"turn_id\":\"" + first.turnId() + "\"")
                        || meta.contains("\"turn_id\":\"" + second.turnId() + "\""),
                        "a model request outside the run's two turns: " + meta);
            }
            assertEquals(2002, codex.spend().tokens().totalTokens());

            // the goal is not resumed over the budget: nothing is sent
            assertThrows(BudgetExceededException.class, thread::resumeGoal);
            assertEquals(calls, offline.server().requestCount());
        }
    }

    @Test
    void aQueuedTurnTheServerStartsOverTheThreadsBudgetIsInterruptedAtOnce() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            offline.server().enqueue(ModelReply.message("first answer").usage(new ModelReply.Usage(1000, 0, 1, 0))
                            .eventDelay(Duration.ofMillis(300)),
                    ModelReply.execCommand("sleep 20").usage(new ModelReply.Usage(10, 0, 1, 0)),
                    ModelReply.message("never"));
            CodexThread thread = codex.startThread();
            BlockingQueue<RunResult> followed = new LinkedBlockingQueue<>();
            try (Subscription s = thread.followServerTurns(h -> followed.add(h.run()))) {
                TurnHandle running = thread.turn("first");
                thread.budget(Budget.tokens(100)); // the running turn takes the spend over it
                thread.queue("then more");
                assertEquals("first answer", running.run().finalResponse().orElseThrow());
                RunResult next = followed.poll(30, TimeUnit.SECONDS);
                assertTrue(next != null, "the server's own turn was followed");
                assertEquals(TurnStatus.INTERRUPTED, next.status(), next.toString());
                // over budget when it starts if the first turn's result was counted by then (its consumer,
                // this thread, folds it while the follower adopts the next: either may come first),
                // else at its first model call's usage, while its command runs
                String why = next.budgetExceeded().orElseThrow();
                assertTrue(why.contains("started over budget") || why.contains("the turn crossed"), next.toString());
                assertTrue(next.finalResponse().isEmpty(), next.toString());
                assertTrue(next.durationMs() < 15_000, next.toString());
            }
            assertThrows(BudgetExceededException.class, () -> thread.startGoal("more", null));
        }
    }
}
