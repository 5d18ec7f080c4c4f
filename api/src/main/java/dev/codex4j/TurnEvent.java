package dev.codex4j;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.TypedCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One event of a running turn, from {@link TurnHandle#events()}. The common ones have records
 * of their own; every other notification of the turn arrives as {@link Other} with its method
 * and parameters. The last event of every turn is {@link Completed}.
 *
 * <pre>{@code
 * try (TurnEvents events = thread.turn("Write a haiku").events()) {
 *     for (TurnEvent e : events) {
 *         switch (e) {
 *             case TurnEvent.AgentMessageDelta d -> System.out.print(d.delta());
 *             case TurnEvent.Completed c -> System.out.println("\n[" + c.result().status() + "]");
 *             default -> {}
 *         }
 *     }
 * }
 * }</pre>
 */
public sealed interface TurnEvent {

    /** @return the notification's method ({@code turn/completed} for {@link Completed}) */
    String method();

    /**
     * A piece of an agent message's text ({@code item/agentMessage/delta}).
     *
     * @param itemId the message item
     * @param delta the text
     */
    record AgentMessageDelta(String itemId, String delta) implements TurnEvent {
        @Override
        public String method() {
            return "item/agentMessage/delta";
        }
    }

    /**
     * A piece of reasoning text or of its summary.
     *
     * @param method {@code item/reasoning/summaryTextDelta} or {@code item/reasoning/textDelta}
     * @param itemId the reasoning item
     * @param delta the text
     */
    record ReasoningDelta(String method, String itemId, String delta) implements TurnEvent {}

    /**
     * An item started ({@code item/started}).
     *
     * @param item the item as sent ({@code type}, {@code id}, ...)
     */
    record ItemStarted(JsonNode item) implements TurnEvent {
        @Override
        public String method() {
            return "item/started";
        }

        /** @return the item's type, for example {@code agentMessage} */
        public String type() {
            return item.path("type").asString("");
        }
    }

    /**
     * An item completed ({@code item/completed}).
     *
     * @param item the item as sent
     */
    record ItemCompleted(JsonNode item) implements TurnEvent {
        @Override
        public String method() {
            return "item/completed";
        }

        /** @return the item's type, for example {@code commandExecution} */
        public String type() {
            return item.path("type").asString("");
        }
    }

    /**
     * Token usage of the turn so far ({@code thread/tokenUsage/updated}).
     *
     * @param last usage of the last model call
     * @param total usage of the thread so far
     */
    record TokenUsage(JsonNode last, JsonNode total) implements TurnEvent {
        @Override
        public String method() {
            return "thread/tokenUsage/updated";
        }
    }

    /**
     * An error notification ({@code error}); terminal only when {@code willRetry} is false, and
     * even then the turn still ends with {@link Completed}.
     *
     * @param error the error
     * @param willRetry whether the server retries
     */
    record Error(TurnError error, boolean willRetry) implements TurnEvent {
        @Override
        public String method() {
            return "error";
        }
    }

    /**
     * The turn ended ({@code turn/completed}): always the last event.
     *
     * @param result the turn's result (status completed, interrupted or failed)
     */
    record Completed(RunResult result) implements TurnEvent {
        @Override
        public String method() {
            return "turn/completed";
        }
    }

    /**
     * Any other notification of this turn (plan and diff updates, command output, ...).
     *
     * @param method the method
     * @param params its parameters
     */
    record Other(String method, JsonNode params) implements TurnEvent {
        /**
         * @return the notification as the generated protocol type (its {@code Unknown} variant
         *     when the method is newer than this SDK or the params do not bind)
         */
        public ServerNotification typed() {
            return TypedCodec.notification(new JsonRpcMessage.Notification(method, params, null));
        }
    }

    /** @return the item id of a delta, or null */
    default @Nullable String itemId() {
        return switch (this) {
            case AgentMessageDelta d -> d.itemId();
            case ReasoningDelta d -> d.itemId();
            default -> null;
        };
    }
}
