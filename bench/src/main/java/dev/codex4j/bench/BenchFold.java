package dev.codex4j.bench;

import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.methods.ServerNotification;

/**
 * The SDK's own turn fold ({@link TurnFold}, in the api module's internal package), with a
 * boolean "that was the end" for benchmark loops: the consumer work measured is exactly what
 * {@code TurnHandle.run()} does per message, minus its mailbox wait.
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

    /** @return true when it was the turn's {@code turn/completed} */
    public boolean accept(Inbound in) {
        return fold.accept(in) instanceof TurnEvent.Completed;
    }

    /** @return true when it was {@code turn/completed} */
    public boolean accept(ServerNotification notification) {
        return fold.accept(notification) instanceof TurnEvent.Completed;
    }

    /** @return the result once {@code turn/completed} was folded, else null */
    public RunResult result() {
        return fold.result();
    }
}
