package dev.codex4j;

import dev.codex4j.protocol.types.ThreadGoal;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link GoalRun} produced: every turn the server ran for the goal, in order, each folded to
 * a {@link RunResult}; the goal as last reported (the generated {@link ThreadGoal}: status,
 * {@code tokensUsed}, ...).
 *
 * @param turns the goal's turns, in the order they ended
 * @param goal the goal as last reported (null only when none was)
 * @param cleared whether the goal was cleared
 * @param interrupted whether the run was interrupted (by {@link GoalRun#interrupt()} or its deadline)
 * @param budgetExceeded why the client's or the thread's {@link Budget} stopped the run (a turn
 *     started over it, or crossed it in flight: that turn was interrupted, its
 *     {@link RunResult#budgetExceeded()} says so, and the goal was paused), if it did
 */
public record GoalResult(List<RunResult> turns, @Nullable ThreadGoal goal, boolean cleared, boolean interrupted,
        Optional<String> budgetExceeded) {
    /** Copies. */
    public GoalResult {
        turns = List.copyOf(turns);
        java.util.Objects.requireNonNull(budgetExceeded, "budgetExceeded");
    }

    /** @return the final response of the last turn, if it had one */
    public Optional<String> finalResponse() {
        return turns.isEmpty() ? Optional.empty() : turns.get(turns.size() - 1).finalResponse();
    }

    /** @return the tokens of all its turns */
    public TokenCount usage() {
        TokenCount t = TokenCount.ZERO;
        for (RunResult r : turns) {
            t = t.plus(r.turnUsage().orElse(TokenCount.ZERO));
        }
        return t;
    }

    /** @return the cost of all its turns (unknown when one's is) */
    public Optional<Cost> cost() {
        return turns.stream().map(RunResult::cost).reduce(Cost::plus);
    }
}
