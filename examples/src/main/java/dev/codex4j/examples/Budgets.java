package dev.codex4j.examples;

import dev.codex4j.Budget;
import dev.codex4j.CodexThread;
import dev.codex4j.PriceTable;
import dev.codex4j.RunResult;
import dev.codex4j.errors.BudgetExceededException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;

/**
 * Usage, cost and budgets: each turn's own tokens and cost at your prices; a money budget that
 * interrupts the turn in flight which crosses it and refuses the next one before sending it.
 * (The prices here are made up; codex4j has none built in.)
 */
public final class Budgets {
    private Budgets() {}

    /** @param args unused */
    public static void main(String[] args) {
        PriceTable prices = PriceTable.builder("USD")
                .perMillionTokens(OfflineCodex.MODEL, "1.25", "0.125", "10.00") // input, cached input, output
                .build();
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(
                        // a turn of two model calls: a command, then the answer after its output
                        ModelReply.execCommand("echo tests pass").usage(new ModelReply.Usage(1200, 1000, 40, 0)),
                        ModelReply.message("All tests pass.").usage(new ModelReply.Usage(1300, 1200, 20, 0)),
                        // a turn that asks for a long command after a costly call: the budget stops it
                        ModelReply.execCommand("sleep 30").usage(new ModelReply.Usage(400_000, 0, 2_000, 0)),
                        ModelReply.message("never asked for")),
                b -> b.prices(prices).budget(Budget.money("0.50")).waitForRateLimitReset(Duration.ofMinutes(1)))) {
            CodexThread thread = session.codex().startThread();
            RunResult first = thread.run("Run the tests");
            System.out.println("turn 1: " + first.turnUsage().orElseThrow() + " -> " + first.cost());
            first.contextWindow().ifPresent(w -> System.out.printf("context window %.2f%% full%n", 100 * w.fillRatio()));

            RunResult second = thread.run("Now refactor everything");
            System.out.println("turn 2: " + second.status() + ", " + second.cost() + ", stopped: "
                    + second.budgetExceeded().orElse("no"));
            try {
                thread.run("One more thing");
            } catch (BudgetExceededException e) {
                System.out.println("turn 3 refused (" + e.scope() + "): " + e.getMessage());
            }
            System.out.println("client spent " + session.codex().spend());
        }
    }
}
