package dev.codex4j.internal.sdk;

import dev.codex4j.ContextWindow;
import dev.codex4j.Cost;
import dev.codex4j.PriceTable;
import dev.codex4j.RunResult;
import dev.codex4j.SubAgentUsage;
import dev.codex4j.TokenCount;
import dev.codex4j.TurnEvent;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.MessagePhase;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.TurnError;
import dev.codex4j.protocol.types.TurnStatus;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * The fold of one turn's notifications into a {@link RunResult}: what {@code TurnHandle.run()} and
 * {@code events()} do per message. Owned by the turn's single consumer; not thread-safe by design.
 * Internal (the api module does not export this package); public for the benchmarks.
 *
 * <p>Notifications bind strict at the member ({@code TypedCodec}): an item whose members changed in a
 * newer server stays typed, and only reading such a member throws. When a member the fold itself
 * reads (an item's text, a status) did not bind, the notification is folded from its JSON like
 * one that does not bind at all. A notification that does not bind is never dropped. An item of
 * {@code item/started} or {@code item/completed} becomes a {@link ThreadItem.Unknown} with the
 * reason (a completed one is kept in the result's items, and an agent message's text still counts
 * for the final response when it can be read); a {@code turn/completed} still ends the turn, with
 * its status and error read on their own; anything else is {@link TurnEvent.Notification} holding the
 * {@link ServerNotification.Unknown}.
 */
public final class TurnFold {
    private static final System.Logger LOG = System.getLogger(TurnFold.class.getName());
    private static final String FINAL_ANSWER = MessagePhase.FINAL_ANSWER.value();

    private final String turnId;
    private final long startNanos;
    private final @Nullable String model;
    private final @Nullable PriceTable prices;
    private final List<ThreadItem> items = new ArrayList<>();
    private @Nullable String lastFinalAnswer;
    private @Nullable String lastUnphased;
    private @Nullable ThreadTokenUsage lastUsage;
    /** The turn's own tokens so far, and the thread's total at the last update. */
    private final UsageMeter meter = new UsageMeter();
    private @Nullable ContextWindow contextWindow;
    /** Set by the budget watch's listener (another thread) before it interrupts the turn: why. */
    private volatile @Nullable String budgetExceeded;
    /** The turn's budget watch, or null: its verdict is final when the turn's end is folded. */
    private @Nullable BudgetWatch watch;
    /** How many {@code thread/tokenUsage/updated} of the turn were folded (the watch must have judged as many). */
    private int usageUpdates;
    private @Nullable TurnError lastError;
    /** The last error the server said it would retry; and since when it retries without an answer (0: it does not). */
    private @Nullable TurnError lastRetryError;
    private long retryingSinceNanos;
    private @Nullable RunResult result;
    private boolean warnedUnbound;
    /** Set once by the turn's starter before the handle is handed out; read by the consumer at the end. */
    private volatile @Nullable SubAgentWatch subAgents;

    /**
     * @param turnId the turn
     * @param startNanos when it was started ({@link System#nanoTime()})
     */
    public TurnFold(String turnId, long startNanos) {
        this(turnId, startNanos, null, null);
    }

    /**
     * @param turnId the turn
     * @param startNanos when it was started ({@link System#nanoTime()})
     * @param model the model it runs on, or null when not known
     * @param prices the client's prices, or null for none (the cost is then unknown)
     */
    public TurnFold(String turnId, long startNanos, @Nullable String model, @Nullable PriceTable prices) {
        this.turnId = turnId;
        this.startNanos = startNanos;
        this.model = model;
        this.prices = prices;
    }

    /**
     * Folds one routed message of this turn, as its consumer does: a streaming delta from what the
     * dispatcher read of it in its one pass over the line (no second parse), everything else by
     * binding the line's bytes to the generated types once, with the streaming parser (no tree).
     *
     * @param in the message
     * @return the event, or null when the message is not a notification
     */
    public @Nullable TurnEvent accept(Inbound in) {
        if (in.kind() != RoutingKeys.Kind.NOTIFICATION) {
            return null;
        }
        String method = Objects.requireNonNullElse(in.method(), "");
        if (ServerNotification.ThreadTokenUsageUpdated.METHOD.equals(method)) {
            usageUpdates++;
        }
        if (in.isPlainDelta()) {
            String itemId = Objects.requireNonNull(in.plainDeltaItemId());
            if (ServerNotification.ItemAgentMessageDelta.METHOD.equals(method)) {
                return new TurnEvent.AgentMessageDelta(itemId, Objects.requireNonNull(in.plainDelta()));
            }
            if (isReasoningDelta(method)) {
                return new TurnEvent.ReasoningDelta(method, itemId, Objects.requireNonNull(in.plainDelta()));
            }
        }
        ServerNotification n;
        try {
            byte[] bytes = in.bytes();
            n = TypedCodec.notification(method, bytes, 0, bytes.length);
        } catch (ProtocolException e) {
            // The dispatcher routes only valid JSON notifications here; kept typed all the same.
            n = new ServerNotification.Unknown(method, NullNode.getInstance(), "does not decode: " + e.getMessage());
        }
        return accept(n);
    }

    /**
     * Folds one routed message for a consumer of the result alone ({@code run()}): as
     * {@link #accept(Inbound)}, except that a plain streaming delta (an agent message's or the
     * reasoning's text), which changes nothing in the result, is passed over without decoding its
     * text or making its event.
     *
     * @param in the message
     */
    public void fold(Inbound in) {
        if (in.isPlainDelta() && isTextDelta(in.method())) {
            return;
        }
        accept(in);
    }

    private static boolean isTextDelta(@Nullable String method) {
        return ServerNotification.ItemAgentMessageDelta.METHOD.equals(method) || isReasoningDelta(method);
    }

    private static boolean isReasoningDelta(@Nullable String method) {
        return ServerNotification.ItemReasoningSummaryTextDelta.METHOD.equals(method)
                || ServerNotification.ItemReasoningTextDelta.METHOD.equals(method);
    }

    /**
     * Folds one typed notification of this turn.
     *
     * @param n the notification
     * @return its event
     */
    public TurnEvent accept(ServerNotification n) {
        try {
            return acceptTyped(n);
        } catch (MemberNotBoundException e) {
            // A member the fold reads did not bind (a newer server changed it): fold the message from
            // its JSON, as one that does not bind at all.
            return unbound(new ServerNotification.Unknown(n.method(), rawParams(n), "params do not bind: "
                    + e.getMessage()));
        }
    }

    /** The params of the notifications whose members the fold reads, as JSON (members as received). */
    private static JsonNode rawParams(ServerNotification n) {
        Object params = switch (n) {
            case ServerNotification.ItemAgentMessageDelta d -> d.params();
            case ServerNotification.ItemReasoningSummaryTextDelta d -> d.params();
            case ServerNotification.ItemReasoningTextDelta d -> d.params();
            case ServerNotification.ItemStarted s -> s.params();
            case ServerNotification.ItemCompleted c -> c.params();
            case ServerNotification.ThreadTokenUsageUpdated u -> u.params();
            case ServerNotification.Error e -> e.params();
            case ServerNotification.TurnCompleted t -> t.params();
            case ServerNotification.HookStarted h -> h.params();
            case ServerNotification.HookCompleted h -> h.params();
            default -> null;
        };
        return params == null ? NullNode.getInstance() : TypedCodec.params(params);
    }

    private TurnEvent acceptTyped(ServerNotification n) {
        return switch (n) {
            case ServerNotification.ItemAgentMessageDelta d ->
                    new TurnEvent.AgentMessageDelta(d.params().itemId(), d.params().delta());
            case ServerNotification.ItemReasoningSummaryTextDelta d ->
                    new TurnEvent.ReasoningDelta(d.method(), d.params().itemId(), d.params().delta());
            case ServerNotification.ItemReasoningTextDelta d ->
                    new TurnEvent.ReasoningDelta(d.method(), d.params().itemId(), d.params().delta());
            case ServerNotification.ItemStarted s -> {
                if (!(s.params().item() instanceof ThreadItem.UserMessage)) {
                    retryingSinceNanos = 0; // the model answers again
                }
                yield new TurnEvent.ItemStarted(s.params().item());
            }
            case ServerNotification.ItemCompleted c -> itemCompleted(c.params().item());
            case ServerNotification.ThreadTokenUsageUpdated u -> {
                ThreadTokenUsage usage = u.params().tokenUsage();
                usage(usage);
                yield new TurnEvent.TokenUsage(usage);
            }
            case ServerNotification.Error e -> {
                if (!e.params().willRetry()) {
                    lastError = e.params().error();
                } else {
                    lastRetryError = e.params().error();
                    if (retryingSinceNanos == 0) {
                        retryingSinceNanos = Math.max(1, System.nanoTime());
                    }
                }
                yield new TurnEvent.Error(e.params().error(), e.params().willRetry());
            }
            case ServerNotification.TurnCompleted t -> turnCompleted(t.params().turn().status(), t.params().turn().error());
            case ServerNotification.ItemAutoApprovalReviewStarted r -> new TurnEvent.AutoReviewStarted(r.params());
            case ServerNotification.ItemAutoApprovalReviewCompleted r -> new TurnEvent.AutoReviewCompleted(r.params());
            case ServerNotification.HookStarted h -> new TurnEvent.HookStarted(h.params().run());
            case ServerNotification.HookCompleted h -> new TurnEvent.HookCompleted(h.params().run());
            case ServerNotification.Unknown u -> unbound(u);
            default -> new TurnEvent.Notification(n);
        };
    }

    /**
     * One {@code thread/tokenUsage/updated} of the turn (the server sends one after each model
     * call): the turn's usage grows by what the thread's total grew since the previous update; the
     * first update, and one whose total went down (compaction, a resumed thread counting afresh),
     * add their {@code last} (that model call). Reads every member before changing anything.
     */
    private void usage(ThreadTokenUsage usage) {
        Long window = usage.modelContextWindow();
        meter.add(usage);
        lastUsage = usage;
        TokenCount last = java.util.Objects.requireNonNull(meter.lastCall());
        contextWindow = window != null && window > 0 ? new ContextWindow(last.totalTokens(), window) : null;
    }

    /**
     * Follows the turn's sub-agents: at {@code turn/completed} the fold settles the watch (a bounded
     * wait), puts their usage in the result and closes it. Called by the turn's starter.
     *
     * @param watch the turn's sub-agent watch
     */
    public void subAgents(SubAgentWatch watch) {
        this.subAgents = watch;
    }

    /** @return the turn's own tokens so far, or null when none were reported yet */
    public @Nullable TokenCount turnUsage() {
        return meter.turn();
    }

    /**
     * The budget watch interrupts the turn because it crossed a budget: the result will say why.
     * Called from the watch's thread, before it sends the interrupt.
     *
     * @param why which budget, spent how far
     */
    public void budgetExceeded(String why) {
        budgetExceeded = why;
    }

    /**
     * The turn runs on a budget: when its end is folded, the result waits for the watch's verdict
     * on every usage update folded before it (see {@link BudgetWatch}). Set before any consumer.
     *
     * @param watch the turn's budget watch, or null
     */
    public void watchedBy(@Nullable BudgetWatch watch) {
        this.watch = watch;
    }

    /**
     * @return since when (nanoTime) the server has been retrying the model without an answer
     *     ({@code error} notifications with {@code willRetry}, and no item started since), or 0
     */
    public long retryingSinceNanos() {
        return retryingSinceNanos;
    }

    /** @return the last error the server said it would retry, or null */
    public @Nullable TurnError lastRetryError() {
        return lastRetryError;
    }

    private TurnEvent itemCompleted(ThreadItem item) {
        String text = agentMessageText(item);
        String phase = text != null ? agentMessagePhase(item) : null; // both may throw: read before the item counts
        items.add(item);
        if (text != null) {
            if (FINAL_ANSWER.equals(phase)) {
                lastFinalAnswer = text;
            } else if (phase == null) {
                lastUnphased = text;
            }
        }
        return new TurnEvent.ItemCompleted(item);
    }

    private TurnEvent turnCompleted(TurnStatus status, @Nullable TurnError error) {
        TurnError why = error != null ? error : lastError;
        long durationMs = (System.nanoTime() - startNanos) / 1_000_000; // the turn's, without the sub-agents' wait
        String exceeded = budgetExceeded;
        BudgetWatch w = watch;
        if (w != null) {
            String verdict = w.verdict(turnId, usageUpdates);
            if (verdict != null) {
                exceeded = verdict;
            }
        }
        SubAgentUsage sub = null;
        SubAgentWatch subWatch = subAgents;
        if (subWatch != null) {
            try {
                sub = subWatch.settle();
            } finally {
                subWatch.close();
            }
        }
        result = RunResult.builder().subAgentUsage(sub).turnId(turnId).status(status).finalResponse(finalResponse()).items(items)
                .usage(lastUsage).turnUsage(meter.turn()).model(model).cost(cost()).threadUsage(meter.threadTotal())
                .contextWindow(contextWindow).budgetExceeded(exceeded)
                .durationMs(durationMs)
                .error(status.equals(TurnStatus.COMPLETED) ? null : why).build();
        return new TurnEvent.Completed(result);
    }

    /** A notification whose method is newer than this SDK, or whose params do not bind. */
    private TurnEvent unbound(ServerNotification.Unknown u) {
        // TypedCodec's reason for a method this version does not know, as opposed to params that do not bind.
        boolean newerMethod = "method not in the schema".equals(u.reason());
        if (!newerMethod && !warnedUnbound) {
            warnedUnbound = true;
            LOG.log(Level.WARNING, () -> "Turn " + turnId + ": a " + u.method() + " notification does not bind to the"
                    + " types of this codex4j version (is the Codex CLI newer than the pinned one?): " + u.reason());
        }
        JsonNode raw = u.raw();
        switch (u.method()) {
            case ServerNotification.ItemStarted.METHOD -> {
                JsonNode item = raw.get("item");
                if (item != null) {
                    return new TurnEvent.ItemStarted(new ThreadItem.Unknown(item, u.reason()));
                }
            }
            case ServerNotification.ItemCompleted.METHOD -> {
                JsonNode item = raw.get("item");
                if (item != null) {
                    return itemCompleted(new ThreadItem.Unknown(item, u.reason()));
                }
            }
            case ServerNotification.TurnCompleted.METHOD -> {
                return unboundTurnCompleted(raw.path("turn"), u.reason());
            }
            default -> { }
        }
        return new TurnEvent.Notification(u);
    }

    /**
     * A {@code turn/completed} that does not bind (say, a newer kind of item in its turn) still ends
     * the turn: its status and error are read on their own. Without a status the turn counts as
     * failed, with an error that says why.
     */
    private TurnEvent unboundTurnCompleted(JsonNode turn, String reason) {
        JsonNode status = turn.path("status");
        TurnError error = null;
        JsonNode e = turn.get("error");
        if (e != null && e.isObject()) {
            try {
                error = TurnError.codec().fromJson(e);
            } catch (DecodeException ignored) {
                // described by the reason below when the status needs it
            }
        }
        if (status.isString()) {
            return turnCompleted(TurnStatus.of(status.asString()), error);
        }
        return turnCompleted(TurnStatus.FAILED, error != null ? error : TurnError.builder()
                .message("turn/completed of turn " + turnId + " does not bind to this codex4j version's types and"
                        + " has no status: " + reason)
                .build());
    }

    private @Nullable Cost cost() {
        TokenCount t = meter.turn();
        return prices == null ? null : prices.costOf(model, t == null ? TokenCount.ZERO : t);
    }

    private @Nullable String finalResponse() {
        return lastFinalAnswer != null ? lastFinalAnswer : lastUnphased;
    }

    /** @return the result once turn/completed was folded, else null */
    public @Nullable RunResult result() {
        return result;
    }

    /**
     * The text of an agent message item: of a {@link ThreadItem.AgentMessage}, or of an agent
     * message that did not bind to this version's types ({@link ThreadItem.Unknown} of type
     * {@code agentMessage} with a string {@code text}), so that a newer server's answer is never lost.
     *
     * @param item an item
     * @return its text, or null when it is not an agent message
     */
    public static @Nullable String agentMessageText(ThreadItem item) {
        return switch (item) {
            case ThreadItem.AgentMessage m -> m.text();
            case ThreadItem.Unknown u when isAgentMessage(u.raw()) && u.raw().path("text").isString() ->
                    u.raw().path("text").asString();
            default -> null;
        };
    }

    private static @Nullable String agentMessagePhase(ThreadItem item) {
        return switch (item) {
            case ThreadItem.AgentMessage m -> m.phase() == null ? null : m.phase().value();
            case ThreadItem.Unknown u when u.raw().path("phase").isString() -> u.raw().path("phase").asString();
            default -> null;
        };
    }

    private static boolean isAgentMessage(JsonNode raw) {
        return ThreadItem.AgentMessage.TYPE.equals(raw.path("type").asString(null));
    }
}
