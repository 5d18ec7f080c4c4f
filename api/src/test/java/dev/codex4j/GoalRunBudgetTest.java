package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A goal run's budget, on the scripted fake app-server, where the server starts the next turn the
 * moment one ends (so the order is fixed): the first continuation turn's usage crosses the client's
 * budget in flight (stopped, the goal paused), and the second, which the server starts before the
 * pause, starts over the budget and is stopped at once. Both results say so, and so does the run's.
 */
class GoalRunBudgetTest {
    private static ObjectNode goal(String threadId, String status) {
        ObjectNode g = JsonNodeFactory.instance.objectNode();
        g.put("threadId", threadId).put("objective", "spend").put("status", status).put("tokensUsed", 0)
                .put("timeUsedSeconds", 0).put("createdAt", 1).put("updatedAt", 1);
        g.putNull("tokenBudget");
        return g;
    }

    @Test
    void aTurnThatCrossesAndOneThatStartsOverTheBudgetAreStoppedAndTheGoalPaused() {
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers()
                .onRequest("thread/goal/set", (req, out) -> {
                    String threadId = req.params().path("threadId").asString();
                    boolean pause = "paused".equals(req.params().path("status").asString(""));
                    ObjectNode result = JsonNodeFactory.instance.objectNode();
                    result.set("goal", goal(threadId, pause ? "paused" : "active"));
                    out.respond(result);
                    if (pause) {
                        ObjectNode p = JsonNodeFactory.instance.objectNode().put("threadId", threadId);
                        p.set("goal", goal(threadId, "paused"));
                        out.send(AppServerMessages.notification("thread/goal/updated", p));
                        return;
                    }
                    // turn 1 spends 110 tokens (over the budget of 100); turn 2 starts at once
                    out.send(AppServerMessages.turnStarted(threadId, "t1"));
                    out.send(AppServerMessages.tokenUsageUpdated(threadId, "t1"));
                    out.send(AppServerMessages.turnCompleted(threadId, "t1", "completed"));
                    out.send(AppServerMessages.turnStarted(threadId, "t2"));
                    out.send(AppServerMessages.turnCompleted(threadId, "t2", "interrupted"));
                })
                .onRequest("turn/interrupt", (req, out) -> out.respond(JsonNodeFactory.instance.objectNode()));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).experimentalApi(true)
                        .budget(Budget.tokens(100)).build()) {
            CodexThread thread = codex.startThread();
            GoalResult r;
            try (GoalRun run = thread.startGoal("spend", null)) {
                r = run.await(Duration.ofSeconds(10));
            }
            assertEquals(2, r.turns().size(), r.toString());
            assertTrue(r.turns().get(0).budgetExceeded().orElseThrow().startsWith("the turn crossed the client's budget"),
                    r.toString());
            assertTrue(r.turns().get(1).budgetExceeded().orElseThrow().startsWith("the turn started over budget"),
                    r.toString());
            assertTrue(r.budgetExceeded().orElseThrow().startsWith("the turn crossed"), r.toString());
            assertEquals(ThreadGoalStatus.PAUSED, r.goal().status(), r.toString());
            assertTrue(!r.interrupted(), r.toString());
        }
    }
}
