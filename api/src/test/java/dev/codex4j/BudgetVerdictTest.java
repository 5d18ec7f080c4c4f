package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A budget crossing is always in the turn's result, whichever of the budget watch and the turn's
 * consumer (two threads reading the same usage updates) gets there first: the fold waits for the
 * watch's verdict on every usage update it folded. Against the fake app-server, whose turn crosses
 * the budget on its only usage update (110 tokens against 100) and completes at once.
 */
class BudgetVerdictTest {
    /** Every turn: the reply, one usage update of 110 tokens, turn/completed (completed), in one go. */
    private static FakeAppServer.Script crossingTurns() {
        return crossingTurns(new CountDownLatch(0));
    }

    /** As {@link #crossingTurns()}, with turn/completed held back until {@code finish} is counted down. */
    private static FakeAppServer.Script crossingTurns(CountDownLatch finish) {
        return FakeAppServer.script().concurrentHandlers().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.send(AppServerMessages.tokenUsageUpdated(out.var("threadId"), out.var("turnId")));
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.send(AppServerMessages.turnCompleted(out.var("threadId"), out.var("turnId"), "completed"));
        });
    }

    /**
     * The consumer folds the turn's end before the turn's starter attached the watch (its
     * {@code turnStarted} listener is still running, and another thread consumes the turn through
     * {@code activeTurn()}; the server ends the turn only then): before the fix the crossing the watch had judged reached the result only
     * through the attach, after the result was built, so the result never said so.
     */
    @Test
    void aCrossingJudgedBeforeTheWatchIsAttachedIsInTheResult() throws Exception {
        CountDownLatch consumed = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CodexEventListener slowStart = new CodexEventListener() {
            @Override
            public void turnStarted(TurnStarted e) {
                try {
                    consumed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (FakeAppServer fake = FakeAppServer.inProcess(crossingTurns(finish));
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput())
                        .budget(Budget.tokens(100)).eventListener(slowStart).build()) {
            CodexThread thread = codex.startThread();
            AtomicReference<Throwable> startFailure = new AtomicReference<>();
            Thread starter = Thread.ofVirtual().start(() -> {
                try {
                    thread.turn("spend");
                } catch (Throwable e) {
                    startFailure.set(e);
                }
            });
            TurnHandle turn = await().atMost(Duration.ofSeconds(10)).until(() -> thread.activeTurn().orElse(null),
                    h -> h != null);
            RunResult r;
            try {
                finish.countDown(); // the turn ends while its starter is still in turnStarted
                r = turn.run();
            } finally {
                consumed.countDown();
            }
            starter.join(Duration.ofSeconds(10));
            assertEquals(null, startFailure.get());
            assertEquals(TurnStatus.COMPLETED, r.status(), r.toString());
            assertTrue(r.budgetExceeded().orElseThrow(() -> new AssertionError("no budget verdict in " + r))
                    .contains("client's budget"), r.toString());
            assertEquals(110, codex.spend().tokens().totalTokens(), "the turn is counted once");
        }
    }

    /** The plain race: the crossing update and the turn's end in one batch, the consumer already waiting. */
    @Test
    void aCrossingOnTheLastUpdateIsInTheResultEveryTime() {
        try (FakeAppServer fake = FakeAppServer.inProcess(crossingTurns());
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            for (int i = 0; i < 30; i++) {
                CodexThread thread = codex.startThread();
                thread.budget(Budget.tokens(100));
                RunResult r = thread.run("spend " + i);
                assertTrue(r.budgetExceeded().isPresent(), "turn " + i + ": " + r);
                assertEquals(110, thread.spend().tokens().totalTokens(), "counted once: " + thread.spend());
            }
        }
    }
}
