package dev.codex4j;

import dev.codex4j.protocol.types.TokenUsageBreakdown;

/**
 * Token counts, as the server reports them per model call ({@code last}) and per thread
 * ({@code total}) in {@code thread/tokenUsage/updated}, and as the SDK adds them up per turn
 * ({@link RunResult#turnUsage()}), per goal run and per client. An immutable value; the
 * protocol's {@link TokenUsageBreakdown} is the wire form, this one can be added and subtracted.
 *
 * <p>{@code cachedInputTokens} are part of {@code inputTokens} (the input served from the cache),
 * and {@code reasoningOutputTokens} part of {@code outputTokens}, as in the protocol; so
 * {@code totalTokens} is {@code inputTokens + outputTokens}, whatever the parts.
 *
 * <pre>{@code
 * TokenCount t = result.turnUsage().orElse(TokenCount.ZERO);
 * System.out.println(t.inputTokens() + " in (" + t.cachedInputTokens() + " cached), " + t.outputTokens() + " out");
 * }</pre>
 *
 * @param inputTokens input tokens, cached ones included
 * @param cachedInputTokens the part of the input served from the cache
 * @param outputTokens output tokens, reasoning included
 * @param reasoningOutputTokens the part of the output spent on reasoning
 * @param totalTokens all tokens, as the server counts them
 */
public record TokenCount(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningOutputTokens,
        long totalTokens) {
    /** No tokens. */
    public static final TokenCount ZERO = new TokenCount(0, 0, 0, 0, 0);

    /** @throws IllegalArgumentException when a count is negative */
    public TokenCount {
        if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0 || reasoningOutputTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative: " + inputTokens + "/"
                    + cachedInputTokens + "/" + outputTokens + "/" + reasoningOutputTokens + "/" + totalTokens);
        }
    }

    /**
     * @param b the protocol's counts
     * @return them as a TokenCount (a negative count, which no server sends, counts as 0)
     */
    public static TokenCount of(TokenUsageBreakdown b) {
        return new TokenCount(Math.max(0, b.inputTokens()), Math.max(0, b.cachedInputTokens()),
                Math.max(0, b.outputTokens()), Math.max(0, b.reasoningOutputTokens()), Math.max(0, b.totalTokens()));
    }

    /** @return the sum of both */
    public TokenCount plus(TokenCount o) {
        return new TokenCount(inputTokens + o.inputTokens, cachedInputTokens + o.cachedInputTokens,
                outputTokens + o.outputTokens, reasoningOutputTokens + o.reasoningOutputTokens, totalTokens + o.totalTokens);
    }

    /**
     * @param earlier counts taken before these
     * @return whether none of these counts is smaller than {@code earlier}'s (the counts only grew)
     */
    public boolean covers(TokenCount earlier) {
        return inputTokens >= earlier.inputTokens && cachedInputTokens >= earlier.cachedInputTokens
                && outputTokens >= earlier.outputTokens && reasoningOutputTokens >= earlier.reasoningOutputTokens
                && totalTokens >= earlier.totalTokens;
    }

    /**
     * @param earlier counts that these {@linkplain #covers cover}
     * @return what was added since {@code earlier}
     * @throws IllegalArgumentException when a count would become negative
     */
    public TokenCount minus(TokenCount earlier) {
        return new TokenCount(inputTokens - earlier.inputTokens, cachedInputTokens - earlier.cachedInputTokens,
                outputTokens - earlier.outputTokens, reasoningOutputTokens - earlier.reasoningOutputTokens,
                totalTokens - earlier.totalTokens);
    }

    /** @return the input tokens not served from the cache */
    public long uncachedInputTokens() {
        return Math.max(0, inputTokens - cachedInputTokens);
    }

    /** @return the output tokens that are not reasoning */
    public long nonReasoningOutputTokens() {
        return Math.max(0, outputTokens - reasoningOutputTokens);
    }
}
