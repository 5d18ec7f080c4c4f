package dev.codex4j;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.runtime.Inbound;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The fold of one turn's notifications into a {@link RunResult}. Owned by the turn's single
 * consumer; not thread-safe by design.
 */
final class TurnFold {
    private final String turnId;
    private final long startNanos;
    private final List<JsonNode> items = new ArrayList<>();
    private @Nullable String lastFinalAnswer;
    private @Nullable String lastUnphased;
    private @Nullable JsonNode lastUsage;
    private @Nullable TurnError lastError;
    private @Nullable RunResult result;

    TurnFold(String turnId, long startNanos) {
        this.turnId = turnId;
        this.startNanos = startNanos;
    }

    /**
     * Folds one routed message of this turn, as its consumer does: a delta by a streaming read of
     * its two strings when it has the plain shape, everything else by decoding the tree.
     *
     * @return the event, or null when the message is not a notification
     */
    @Nullable TurnEvent accept(Inbound in) {
        if (DeltaLine.METHOD.equals(in.method())) {
            TurnEvent delta = DeltaLine.read(in.line());
            if (delta != null) {
                return delta;
            }
        }
        return in.message() instanceof JsonRpcMessage.Notification n ? accept(n.method(), n.params()) : null;
    }

    /** Folds one notification of this turn and returns its event. */
    TurnEvent accept(String method, JsonNode params) {
        switch (method) {
            case "item/agentMessage/delta" -> {
                return new TurnEvent.AgentMessageDelta(params.path("itemId").asString(""),
                        params.path("delta").asString(""));
            }
            case "item/reasoning/summaryTextDelta", "item/reasoning/textDelta" -> {
                return new TurnEvent.ReasoningDelta(method, params.path("itemId").asString(""),
                        params.path("delta").asString(""));
            }
            case "item/started" -> {
                return new TurnEvent.ItemStarted(params.path("item"));
            }
            case "item/completed" -> {
                JsonNode item = params.path("item");
                items.add(item);
                if ("agentMessage".equals(item.path("type").asString(null))) {
                    String phase = RunResult.phase(item);
                    String text = item.path("text").asString("");
                    if ("final_answer".equals(phase)) {
                        lastFinalAnswer = text;
                    } else if (phase == null) {
                        lastUnphased = text;
                    }
                }
                return new TurnEvent.ItemCompleted(item);
            }
            case "thread/tokenUsage/updated" -> {
                JsonNode usage = params.path("tokenUsage");
                lastUsage = usage.path("last");
                return new TurnEvent.TokenUsage(usage.path("last"), usage.path("total"));
            }
            case "error" -> {
                TurnError error = TurnError.of(params.path("error"));
                boolean willRetry = params.path("willRetry").asBoolean(false);
                if (!willRetry) {
                    lastError = error;
                }
                return new TurnEvent.Error(error, willRetry);
            }
            case "turn/completed" -> {
                JsonNode turn = params.path("turn");
                TurnStatus status = TurnStatus.of(turn.path("status").asString("completed"));
                JsonNode err = turn.get("error");
                TurnError error = err != null && err.isObject() ? TurnError.of(err) : lastError;
                result = new RunResult(turnId, status, Optional.ofNullable(finalResponse()), items,
                        Optional.ofNullable(lastUsage), (System.nanoTime() - startNanos) / 1_000_000,
                        Optional.ofNullable(status.equals(TurnStatus.COMPLETED) ? null : error));
                return new TurnEvent.Completed(result);
            }
            default -> {
                return new TurnEvent.Other(method, params);
            }
        }
    }

    private @Nullable String finalResponse() {
        return lastFinalAnswer != null ? lastFinalAnswer : lastUnphased;
    }

    long startNanos() {
        return startNanos;
    }

    @Nullable RunResult result() {
        return result;
    }
}
