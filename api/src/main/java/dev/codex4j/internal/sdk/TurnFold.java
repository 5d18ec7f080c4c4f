package dev.codex4j.internal.sdk;

import dev.codex4j.RunResult;
import dev.codex4j.TurnError;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnStatus;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.internal.runtime.Inbound;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The fold of one turn's notifications into a {@link RunResult}: what {@code TurnHandle.run()} and
 * {@code events()} do per message. Owned by the turn's single consumer; not thread-safe by design.
 * Internal (the api module does not export this package); public for the benchmarks.
 */
public final class TurnFold {
    static final String AGENT_MESSAGE_DELTA = "item/agentMessage/delta";
    private final String turnId;
    private final long startNanos;
    private final List<JsonNode> items = new ArrayList<>();
    private @Nullable String lastFinalAnswer;
    private @Nullable String lastUnphased;
    private @Nullable JsonNode lastUsage;
    private @Nullable TurnError lastError;
    private @Nullable RunResult result;

    /**
     * @param turnId the turn
     * @param startNanos when it was started ({@link System#nanoTime()})
     */
    public TurnFold(String turnId, long startNanos) {
        this.turnId = turnId;
        this.startNanos = startNanos;
    }

    /**
     * Folds one routed message of this turn, as its consumer does: a streaming delta from what the
     * dispatcher read of it in its one pass over the line (no second parse), everything else by
     * decoding the line's bytes.
     *
     * @return the event, or null when the message is not a notification
     */
    public @Nullable TurnEvent accept(Inbound in) {
        String delta = in.plainDelta();
        if (delta != null && AGENT_MESSAGE_DELTA.equals(in.method())) {
            return new TurnEvent.AgentMessageDelta(java.util.Objects.requireNonNull(in.plainDeltaItemId()), delta);
        }
        JsonRpcMessage m;
        try {
            m = in.message();
        } catch (dev.codex4j.protocol.ProtocolException e) {
            // JSON of a shape no message has: skipped, as the dispatcher skips lines that are not JSON.
            System.getLogger(TurnFold.class.getName()).log(System.Logger.Level.WARNING,
                    "Skipping a message of turn " + turnId + " that does not decode: " + e.getMessage());
            return null;
        }
        return m instanceof JsonRpcMessage.Notification n ? accept(n.method(), n.params()) : null;
    }

    /**
     * Folds one decoded notification of this turn.
     *
     * @param method its method
     * @param params its params
     * @return its event
     */
    public TurnEvent accept(String method, JsonNode params) {
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
                    String phase = phase(item);
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
                TurnError error = TurnError.fromJson(params.path("error"));
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
                TurnError error = err != null && err.isObject() ? TurnError.fromJson(err) : lastError;
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


    /** @return the result once turn/completed was folded, else null */
    public @Nullable RunResult result() {
        return result;
    }

    private static @Nullable String phase(JsonNode item) {
        JsonNode p = item.get("phase");
        return p != null && p.isString() ? p.asString() : null;
    }
}
