package dev.codex4j;

/**
 * How full the model's context window was after a turn's last model call: the tokens of that call
 * (its input and output: what the next call starts from) against the window the server reports
 * ({@code modelContextWindow} of {@code thread/tokenUsage/updated}). An immutable value.
 *
 * <pre>{@code
 * result.contextWindow().filter(w -> w.fillRatio() > 0.8).ifPresent(w -> thread.compact());
 * }</pre>
 *
 * @param usedTokens the tokens in the context after the last model call ({@code last.totalTokens})
 * @param windowTokens the model's context window, in tokens (positive)
 */
public record ContextWindow(long usedTokens, long windowTokens) {
    /** @throws IllegalArgumentException when {@code usedTokens} is negative or {@code windowTokens} not positive */
    public ContextWindow {
        if (usedTokens < 0 || windowTokens <= 0) {
            throw new IllegalArgumentException("context window: used " + usedTokens + " of " + windowTokens);
        }
    }

    /** @return {@code usedTokens / windowTokens} (may pass 1.0 when the server overran it) */
    public double fillRatio() {
        return (double) usedTokens / windowTokens;
    }

    /** @return the tokens left in the window, at least 0 */
    public long remainingTokens() {
        return Math.max(0, windowTokens - usedTokens);
    }
}
