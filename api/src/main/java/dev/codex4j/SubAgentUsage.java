package dev.codex4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a turn's sub-agents spent: every sub-agent the turn started or gave work to, and their own
 * sub-agents (the whole tree), as {@link RunResult#subAgentUsage()} reports it when the turn was run
 * with {@link TurnOptions.Builder#subAgentUsage(java.time.Duration)}. An immutable value.
 *
 * <p>The server reports a sub-agent's tokens on the sub-agent's own thread
 * ({@code thread/tokenUsage/updated}), never in the parent's turn: the SDK follows each child
 * thread from the moment the parent's turn reports it ({@code subAgentActivity} item) and counts
 * what its thread's total grew by. A sub-agent runs on its own and may still be working when the
 * parent's turn ends; the SDK then waits for it as long as the option says. {@link #settled()}
 * says whether every sub-agent had ended its turns when the result was built: when it is false,
 * the counts are what the sub-agents had reported by then, and they spend more afterwards.
 *
 * <p>A child the turn started counts as its thread's latest total (the server's running sum from
 * zero), so an update missed before the SDK subscribed is covered by any later one. What cannot be
 * seen is a child whose every model call ended before the SDK read the parent's item naming it
 * (the SDK reads it as it arrives, on a subscription of its own; a child's first report needs a
 * whole model call): such a child counts zero.
 *
 * @param tokens the tokens of all sub-agents together
 * @param cost what they cost at the client's {@link PriceTable}, each at its own model's price;
 *     {@link Cost.Unknown} when a sub-agent's model has no price (or the client has no table)
 * @param byThread the tokens of each sub-agent, by its thread id, in the order they were found
 * @param settled whether every sub-agent had ended its turns when the result was built
 */
public record SubAgentUsage(TokenCount tokens, Cost cost, Map<String, TokenCount> byThread, boolean settled) {
    /** Copies the map (keeping its order). */
    public SubAgentUsage {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(cost, "cost");
        byThread = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(byThread, "byThread")));
    }

    /** @return the number of sub-agents counted */
    public int agents() {
        return byThread.size();
    }
}
