package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TokenUsageBreakdown;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a finished turn produced.
 *
 * <p>{@link #finalResponse()} is the text of the last agent message with phase
 * {@code final_answer}; when there is none, the last agent message without a phase (even if
 * empty); commentary never counts; otherwise empty. {@link #items()} holds the items this turn
 * completed, in arrival order (items that started but never completed, as in an interrupted
 * turn, are not there).
 *
 * <pre>{@code
 * RunResult r = thread.run("Summarize this repo");
 * System.out.println(r.finalResponse().orElse("(no answer)") + " in " + r.durationMs() + " ms");
 * }</pre>
 *
 * @param turnId the turn
 * @param status how it ended
 * @param finalResponse the answer, as defined above
 * @param items the completed items, as sent by the server (each has {@code type} and {@code id})
 * @param usage the turn's last token usage ({@code inputTokens}, {@code outputTokens}, ...), if reported
 * @param durationMs wall time from {@code turn/start} to {@code turn/completed}, as seen by the client
 * @param error why it failed, for a failed (or errored) turn
 */
public record RunResult(
        String turnId,
        TurnStatus status,
        Optional<String> finalResponse,
        List<JsonNode> items,
        Optional<JsonNode> usage,
        long durationMs,
        Optional<TurnError> error) {

    /** Copies the list; nothing is null. */
    public RunResult {
        Objects.requireNonNull(turnId, "turnId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finalResponse, "finalResponse");
        items = List.copyOf(items);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(error, "error");
    }

    /** @return the completed items of one type ({@code agentMessage}, {@code commandExecution}, ...) */
    public List<JsonNode> items(String type) {
        return items.stream().filter(i -> type.equals(i.path("type").asString(null))).toList();
    }

    /**
     * The completed items as the generated protocol type: a sealed union with one record per item
     * type and an {@code Unknown} variant for types newer than this SDK.
     *
     * @return the items, typed
     */
    public List<ThreadItem> typedItems() {
        return items.stream().map(i -> ProtocolCodec.mapper().treeToValue(i, ThreadItem.class)).toList();
    }

    /** @return the token usage as the generated protocol type */
    public Optional<TokenUsageBreakdown> typedUsage() {
        return usage.map(u -> ProtocolCodec.mapper().treeToValue(u, TokenUsageBreakdown.class));
    }

    /** @return the agent messages' texts, in order, commentary included */
    public List<String> agentMessages() {
        return items("agentMessage").stream().map(i -> i.path("text").asString("")).toList();
    }
}
