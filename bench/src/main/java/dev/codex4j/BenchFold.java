package dev.codex4j;

import dev.codex4j.runtime.Inbound;
import tools.jackson.databind.JsonNode;

/**
 * The SDK's own turn fold ({@code TurnFold}, package-private), opened to the benchmarks. It lives
 * in the bench module but in the SDK's package, which works on the class path only (the
 * benchmarks never run on the module path): the consumer work measured is exactly what
 * {@link TurnHandle#run()} does per message, minus its mailbox wait.
 *
 * <pre>{@code
 * BenchFold fold = new BenchFold(turnId);
 * while (!fold.accept(mailbox.take(timeout))) { }
 * RunResult r = fold.result();
 * }</pre>
 */
public final class BenchFold {
    private final TurnFold fold;

    /** @param turnId the turn folded */
    public BenchFold(String turnId) {
        this.fold = new TurnFold(turnId, System.nanoTime());
    }

    /**
     * Folds one routed message as {@code TurnHandle} does (a delta by a streaming read, the rest
     * by decoding the tree).
     *
     * @return true when it was the turn's {@code turn/completed}
     */
    public boolean accept(Inbound in) {
        return fold.accept(in) instanceof TurnEvent.Completed;
    }

    /**
     * Folds one already decoded notification.
     *
     * @return true when it was {@code turn/completed}
     */
    public boolean accept(String method, JsonNode params) {
        return fold.accept(method, params) instanceof TurnEvent.Completed;
    }

    /** @return the result once {@code turn/completed} was folded, else null */
    public RunResult result() {
        return fold.result();
    }
}
