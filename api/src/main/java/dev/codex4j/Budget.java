package dev.codex4j;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A limit on what turns may spend, in tokens or in money (at the client's {@link PriceTable}), for
 * a client ({@link CodexBuilder#budget}) or a thread ({@link CodexThread#budget(Budget)}).
 *
 * <p>A budget holds in two places: a turn is refused before anything is sent when the spend has
 * reached it ({@link dev.codex4j.errors.BudgetExceededException}), and a turn in flight whose
 * tokens, as the server reports them after each model call, take the spend over it is
 * interrupted ({@link RunResult#budgetExceeded()} says so). Concurrent turns on one budget can
 * each pass the check before any of them has spent: they overshoot it by at most what the turns
 * already in flight spend until their next usage report (one model call each) and the interrupt
 * takes. A money budget cannot be checked against an unknown cost (a model without a price): such
 * a turn is refused, never taken as free.
 *
 * <pre>{@code
 * Codex codex = Codex.builder().prices(prices).budget(Budget.money("20.00")).build();
 * thread.budget(Budget.tokens(2_000_000));
 * }</pre>
 */
public sealed interface Budget {
    /**
     * @param maxTokens the most tokens ({@link TokenCount#totalTokens()}), positive
     * @return a token budget
     */
    static Budget tokens(long maxTokens) {
        return new Tokens(maxTokens);
    }

    /**
     * @param maxAmount the most money, a decimal in the price table's currency ({@code "20.00"})
     * @return a money budget
     * @throws NumberFormatException when it is not a decimal number
     */
    static Budget money(String maxAmount) {
        return new Money(new BigDecimal(maxAmount));
    }

    /**
     * @param spend what was spent
     * @return whether it reached this budget; a money budget is reached by an unknown cost
     */
    boolean reachedBy(Spend spend);

    /**
     * A limit in tokens.
     *
     * @param maxTokens the most tokens, positive
     */
    record Tokens(long maxTokens) implements Budget {
        /** @throws IllegalArgumentException when not positive */
        public Tokens {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("a token budget must be positive: " + maxTokens);
            }
        }

        @Override
        public boolean reachedBy(Spend spend) {
            return spend.tokens().totalTokens() >= maxTokens;
        }
    }

    /**
     * A limit in money, in the client's price table's currency.
     *
     * @param maxAmount the most money, positive
     */
    record Money(BigDecimal maxAmount) implements Budget {
        /** @throws IllegalArgumentException when not positive */
        public Money {
            Objects.requireNonNull(maxAmount, "maxAmount");
            if (maxAmount.signum() <= 0) {
                throw new IllegalArgumentException("a money budget must be positive: " + maxAmount);
            }
        }

        @Override
        public boolean reachedBy(Spend spend) {
            return !(spend.cost() instanceof Cost.Known k) || k.amount().compareTo(maxAmount) >= 0;
        }
    }
}
