package dev.codex4j.internal.sdk;

import dev.codex4j.TokenCount;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import org.jspecify.annotations.Nullable;

/**
 * One turn's own tokens, from its {@code thread/tokenUsage/updated} notifications (the server sends
 * one after each model call): each adds what the thread's {@code total} grew by since the previous
 * one; the first, and one whose total went down (history compacted, a resumed thread counting
 * afresh), add their {@code last} (that model call). So a repeated update counts once. Not
 * thread-safe: owned by one reader (a turn's consumer, or a budget watch's listener).
 */
public final class UsageMeter {
    private @Nullable TokenCount turn;
    private @Nullable TokenCount lastTotal;
    private @Nullable TokenCount last;

    /**
     * Adds one update; reads every member before changing anything (a member that does not bind throws).
     *
     * @param usage the update's usage
     */
    public void add(ThreadTokenUsage usage) {
        TokenCount total = TokenCount.of(usage.total());
        TokenCount call = TokenCount.of(usage.last());
        TokenCount added = lastTotal != null && total.covers(lastTotal) ? total.minus(lastTotal) : call;
        turn = turn == null ? added : turn.plus(added);
        lastTotal = total;
        last = call;
    }

    /** @return the turn's tokens so far, or null when none were reported */
    public @Nullable TokenCount turn() {
        return turn;
    }

    /** @return the thread's total at the last update, or null */
    public @Nullable TokenCount threadTotal() {
        return lastTotal;
    }

    /** @return the last model call's tokens, or null */
    public @Nullable TokenCount lastCall() {
        return last;
    }
}
