package dev.codex4j;

import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.GuardianApprovalReviewStatus;
import dev.codex4j.protocol.types.HookRunSummary;
import dev.codex4j.protocol.types.ItemGuardianApprovalReviewCompletedNotification;
import dev.codex4j.protocol.types.ItemGuardianApprovalReviewStartedNotification;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.TurnError;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event of a running turn, from {@link TurnHandle#events()}, in the protocol's own types. The
 * common ones have records of their own; every other notification of the turn arrives as
 * {@link Notification} with the generated {@link ServerNotification}. The last event of every turn is
 * {@link Completed}.
 *
 * <p>A notification that does not bind to this version's types is never dropped: an
 * {@code item/started} or {@code item/completed} whose item does not bind arrives as
 * {@link ItemStarted} / {@link ItemCompleted} holding a {@link ThreadItem.Unknown} (its JSON and
 * the reason), and any other one as {@link Notification} holding a {@link ServerNotification.Unknown}
 * (method, JSON and reason), as does a method newer than this SDK.
 *
 * <pre>{@code
 * try (TurnEventStream events = thread.turn("Write a haiku").events()) {
 *     for (TurnEvent e : events) {
 *         switch (e) {
 *             case TurnEvent.AgentMessageDelta d -> System.out.print(d.delta());
 *             case TurnEvent.ItemCompleted(ThreadItem.CommandExecution c) -> System.out.println("\n$ " + c.command());
 *             case TurnEvent.Notification(ServerNotification.TurnPlanUpdated p) -> System.out.println("\n" + p.params().plan());
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
        /** Nothing is null. */
        public AgentMessageDelta {
            Objects.requireNonNull(itemId, "itemId");
            Objects.requireNonNull(delta, "delta");
        }

        @Override
        public String method() {
            return ServerNotification.ItemAgentMessageDelta.METHOD;
        }
    }

    /**
     * A piece of reasoning text ({@code item/reasoning/textDelta}) or of its summary
     * ({@code item/reasoning/summaryTextDelta}).
     *
     * @param method which of the two
     * @param itemId the reasoning item
     * @param delta the text
     */
    record ReasoningDelta(String method, String itemId, String delta) implements TurnEvent {
        /** Nothing is null. */
        public ReasoningDelta {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(itemId, "itemId");
            Objects.requireNonNull(delta, "delta");
        }

        /** @return whether this is a piece of the reasoning's summary */
        public boolean isSummary() {
            return ServerNotification.ItemReasoningSummaryTextDelta.METHOD.equals(method);
        }
    }

    /**
     * An item started ({@code item/started}).
     *
     * @param item the item (a {@link ThreadItem.Unknown} when it does not bind to this version's types)
     */
    record ItemStarted(ThreadItem item) implements TurnEvent {
        /** @param item not null */
        public ItemStarted {
            Objects.requireNonNull(item, "item");
        }

        @Override
        public String method() {
            return ServerNotification.ItemStarted.METHOD;
        }
    }

    /**
     * An item completed ({@code item/completed}); it is also in {@link RunResult#items()}.
     *
     * @param item the item (a {@link ThreadItem.Unknown} when it does not bind to this version's types)
     */
    record ItemCompleted(ThreadItem item) implements TurnEvent {
        /** @param item not null */
        public ItemCompleted {
            Objects.requireNonNull(item, "item");
        }

        @Override
        public String method() {
            return ServerNotification.ItemCompleted.METHOD;
        }
    }

    /**
     * Token usage of the turn so far ({@code thread/tokenUsage/updated}).
     *
     * @param usage {@code last} (the last model call), {@code total} (the thread so far) and the
     *     model's context window
     */
    record TokenUsage(ThreadTokenUsage usage) implements TurnEvent {
        /** @param usage not null */
        public TokenUsage {
            Objects.requireNonNull(usage, "usage");
        }

        @Override
        public String method() {
            return ServerNotification.ThreadTokenUsageUpdated.METHOD;
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
        /** @param error not null */
        public Error {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String method() {
            return ServerNotification.Error.METHOD;
        }
    }

    /**
     * The turn ended ({@code turn/completed}): always the last event.
     *
     * @param result the turn's result (status completed, interrupted or failed)
     */
    record Completed(RunResult result) implements TurnEvent {
        /** @param result not null */
        public Completed {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String method() {
            return ServerNotification.TurnCompleted.METHOD;
        }
    }

    /**
     * The server's reviewer started weighing an approval request of this turn
     * ({@code item/autoApprovalReview/started}; with {@link ApprovalMode#AUTO_REVIEW}). The
     * protocol marks the payload unstable: the generated type keeps what it does not know in
     * {@code additionalProperties()}.
     *
     * @param review what is reviewed ({@code action()}: a command, a patch, a network call...),
     *     the review's id and the item it concerns ({@code targetItemId()})
     */
    record AutoReviewStarted(ItemGuardianApprovalReviewStartedNotification review) implements TurnEvent {
        /** @param review not null */
        public AutoReviewStarted {
            Objects.requireNonNull(review, "review");
        }

        @Override
        public String method() {
            return ServerNotification.ItemAutoApprovalReviewStarted.METHOD;
        }
    }

    /**
     * The server's reviewer decided ({@code item/autoApprovalReview/completed}): the request was
     * approved, denied, timed out or aborted, with the risk level and the rationale.
     *
     * <pre>{@code
     * case TurnEvent.AutoReviewCompleted r when r.approved() -> log("auto-approved: " + r.review().review().rationale());
     * }</pre>
     *
     * @param review the outcome ({@code review().status()}, {@code riskLevel()}, {@code rationale()}),
     *     the action and the review's id
     */
    record AutoReviewCompleted(ItemGuardianApprovalReviewCompletedNotification review) implements TurnEvent {
        /** @param review not null */
        public AutoReviewCompleted {
            Objects.requireNonNull(review, "review");
        }

        /** @return whether the reviewer approved the request */
        public boolean approved() {
            return GuardianApprovalReviewStatus.APPROVED.equals(review.review().status());
        }

        @Override
        public String method() {
            return ServerNotification.ItemAutoApprovalReviewCompleted.METHOD;
        }
    }

    /**
     * One of the server's own hooks (a command configured under {@code [hooks]} in Codex's
     * configuration, or a plugin's) started for this turn ({@code hook/started}).
     *
     * @param run the hook's run: id, event ({@code PreToolUse}, {@code UserPromptSubmit}, ...),
     *     handler, source, status {@code running}
     */
    record HookStarted(HookRunSummary run) implements TurnEvent {
        /** @param run not null */
        public HookStarted {
            Objects.requireNonNull(run, "run");
        }

        @Override
        public String method() {
            return ServerNotification.HookStarted.METHOD;
        }
    }

    /**
     * One of the server's own hooks ended for this turn ({@code hook/completed}).
     *
     * @param run the hook's run: its status ({@code completed}, {@code failed}, {@code blocked},
     *     {@code stopped}), duration and output entries
     */
    record HookCompleted(HookRunSummary run) implements TurnEvent {
        /** @param run not null */
        public HookCompleted {
            Objects.requireNonNull(run, "run");
        }

        @Override
        public String method() {
            return ServerNotification.HookCompleted.METHOD;
        }
    }

    /**
     * Any other notification of this turn (plan and diff updates, command output, ...), as the
     * generated type of its method; {@link ServerNotification.Unknown} (with the reason) for a
     * method newer than this SDK or params that do not bind. Not an escape hatch of its own: the
     * escape hatch of what is received is always named {@code Unknown}.
     *
     * @param notification the notification
     */
    record Notification(ServerNotification notification) implements TurnEvent {
        /** @param notification not null */
        public Notification {
            Objects.requireNonNull(notification, "notification");
        }

        @Override
        public String method() {
            return notification.method();
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
