package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.BudgetExceededException;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Budgets against the real Codex CLI and the mock model: a money budget interrupts the turn in
 * flight whose first model call took the spend over it (while the command it asked for runs), the
 * result says so, and the next turn is refused before anything is sent; a thread's token budget
 * refuses its next turn and leaves other threads alone.
 */
class BudgetIT {
    @Test
    void aMoneyBudgetInterruptsATurnInFlightAndRefusesTheNext() {
        PriceTable prices = PriceTable.builder("USD")
                .price(OfflineCodex.MODEL, new PriceTable.Price(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE))
                .build();
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).prices(prices).budget(Budget.money("0.001")).build()) {
            // the first call costs 0.002 (2000 tokens at 1 per million) and asks for a long command;
            // the answer after it must never be asked for
            offline.server().enqueue(ModelReply.execCommand("sleep 20").usage(new ModelReply.Usage(1990, 0, 10, 0)),
                    ModelReply.message("too late").eventDelay(Duration.ofMillis(300)));
            CodexThread thread = codex.startThread();
            RunResult r = thread.run("spend");
            assertEquals(TurnStatus.INTERRUPTED, r.status(), r.toString());
            assertTrue(r.budgetExceeded().orElseThrow().contains("client's budget"), r.toString());
            assertEquals(new Cost.Known(new BigDecimal("0.002"), "USD"), r.cost());
            assertTrue(r.finalResponse().isEmpty(), "the answer after the command never came: " + r);
            assertTrue(r.durationMs() < 15_000, "interrupted while the command ran: " + r);
            int calls = offline.server().requestCount();

            BudgetExceededException e = assertThrows(BudgetExceededException.class, () -> thread.run("more"));
            assertEquals("client", e.scope());
            assertEquals(calls, offline.server().requestCount(), "the refused turn sent nothing");
            assertEquals(new Cost.Known(new BigDecimal("0.002"), "USD"), codex.spend().cost());
        }
    }

    @Test
    void aThreadsTokenBudgetRefusesItsNextTurnOnly() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).build()) {
            offline.server().enqueue(ModelReply.message("one").usage(new ModelReply.Usage(90, 0, 10, 0)),
                    ModelReply.message("other").usage(new ModelReply.Usage(90, 0, 10, 0)));
            CodexThread limited = codex.startThread();
            limited.budget(Budget.tokens(100));
            RunResult r = limited.run("q");
            assertEquals("one", r.finalResponse().orElseThrow()); // it reached the budget with its answer
            assertEquals(100, limited.spend().tokens().totalTokens());
            BudgetExceededException e = assertThrows(BudgetExceededException.class, () -> limited.run("more"));
            assertEquals("thread " + limited.id(), e.scope());
            assertEquals("other", codex.startThread().run("q").finalResponse().orElseThrow());
        }
    }
}
