package dev.codex4j;

import java.util.Objects;

/**
 * What a thread or a client has spent so far, over the turns this client folded to a result
 * ({@link TurnHandle#run()}, {@link TurnHandle#events()} to the end, and so on): their
 * {@link RunResult#turnUsage()} and {@link RunResult#cost()} added up. An immutable snapshot.
 *
 * <pre>{@code
 * Spend s = codex.spend();
 * System.out.println(s.turns() + " turns, " + s.tokens().totalTokens() + " tokens, " + s.cost());
 * }</pre>
 *
 * @param turns how many turns are counted
 * @param tokens their tokens
 * @param cost their cost; {@link Cost.Unknown} as soon as one of them had an unknown cost
 */
public record Spend(long turns, TokenCount tokens, Cost cost) {
    /** Checks. */
    public Spend {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(cost, "cost");
    }

    /**
     * @param currency the currency of the client's price table
     * @return nothing spent yet
     */
    public static Spend none(String currency) {
        return new Spend(0, TokenCount.ZERO, Cost.zero(currency));
    }

    /** @return both added up */
    public Spend plus(Spend other) {
        return new Spend(turns + other.turns, tokens.plus(other.tokens), cost.plus(other.cost));
    }

    /** @return this plus one turn's result */
    public Spend plus(RunResult r) {
        return new Spend(turns + 1, tokens.plus(r.turnUsage().orElse(TokenCount.ZERO)), cost.plus(r.cost()));
    }
}
