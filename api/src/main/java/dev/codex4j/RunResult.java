package dev.codex4j;

import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.TurnError;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a finished turn produced, in the protocol's own types.
 *
 * <p>{@link #finalResponse()} is the text of the last agent message with phase
 * {@code final_answer}; when there is none, the last agent message without a phase (even if
 * empty); commentary never counts; otherwise empty. {@link #items()} holds the items this turn
 * completed, in arrival order (items that started but never completed, as in an interrupted
 * turn, are not there). An item this version cannot read (a newer kind of item, or one whose
 * members do not bind) is a {@link ThreadItem.Unknown} holding its JSON and the reason.
 *
 * <pre>{@code
 * RunResult r = thread.run("Run the tests");
 * for (ThreadItem.CommandExecution c : r.items(ThreadItem.CommandExecution.class)) {
 *     System.out.println(c.command() + " -> " + c.exitCode());
 * }
 * System.out.println(r.finalResponse().orElse("(no answer)") + " in " + r.durationMs() + " ms");
 * }</pre>
 *
 * <p>Token usage: {@link #turnUsage()} is this turn's own (all its model calls), {@link #threadUsage()}
 * the thread's so far, {@link #contextWindow()} how full the model's window is; {@link #usage()}
 * is the server's last report as it was sent. None of them includes the turn's sub-agents, whose
 * tokens the server reports on their own threads: {@link #subAgentUsage()} adds those up when the
 * turn asked for it, and {@link #totalUsage()} and {@link #totalCost()} include them.
 *
 * <p>A final class with accessors rather than a record, so that it can gain members (issue 25 adds
 * the turn's own usage and cost) without breaking anyone: a record's new component would change
 * its constructor and every record pattern that takes it apart. Build one for a test with
 * {@link #builder()}.
 */
public final class RunResult {
    private final String turnId;
    private final TurnStatus status;
    private final Optional<String> finalResponse;
    private final List<ThreadItem> items;
    private final Optional<ThreadTokenUsage> usage;
    private final long durationMs;
    private final Optional<TurnError> error;
    private final Optional<TokenCount> turnUsage;
    private final Optional<TokenCount> threadUsage;
    private final Optional<ContextWindow> contextWindow;
    private final Optional<String> model;
    private final Cost cost;
    private final Optional<SubAgentUsage> subAgentUsage;
    private final Optional<String> budgetExceeded;

    private RunResult(Builder b) {
        this.turnId = Objects.requireNonNull(b.turnId, "turnId");
        this.status = Objects.requireNonNull(b.status, "status");
        this.finalResponse = Optional.ofNullable(b.finalResponse);
        this.items = List.copyOf(b.items);
        this.usage = Optional.ofNullable(b.usage);
        this.durationMs = b.durationMs;
        this.error = Optional.ofNullable(b.error);
        this.turnUsage = Optional.ofNullable(b.turnUsage);
        this.threadUsage = Optional.ofNullable(b.threadUsage);
        this.contextWindow = Optional.ofNullable(b.contextWindow);
        this.model = Optional.ofNullable(b.model);
        this.cost = b.cost != null ? b.cost : new Cost.Unknown("not priced (no PriceTable)");
        this.subAgentUsage = Optional.ofNullable(b.subAgentUsage);
        this.budgetExceeded = Optional.ofNullable(b.budgetExceeded);
    }

    /** @return a builder; {@code turnId} and {@code status} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the turn */
    public String turnId() {
        return turnId;
    }

    /**
     * @return how it ended ({@code TurnStatus.COMPLETED}, {@code INTERRUPTED} or {@code FAILED}; an
     *     open enum, so a newer server's status is kept as sent)
     */
    public TurnStatus status() {
        return status;
    }

    /** @return the answer, as defined above */
    public Optional<String> finalResponse() {
        return finalResponse;
    }

    /** @return the completed items, as the generated sealed {@link ThreadItem} union */
    public List<ThreadItem> items() {
        return items;
    }

    /**
     * The thread's token usage as last reported during the turn, in the protocol's form, unchanged
     * since 0.x: {@code last} is the turn's <em>last model call</em> only, and {@code total} the
     * <em>whole thread</em> so far. Neither is this turn's usage (a turn with a tool call makes
     * several model calls; the total counts every earlier turn): for that, read
     * {@link #turnUsage()}.
     *
     * @return the last {@code thread/tokenUsage/updated} of the turn, if reported
     */
    public Optional<ThreadTokenUsage> usage() {
        return usage;
    }

    /**
     * This turn's own tokens: what the thread's {@code total} grew by over the turn, all its model
     * calls together. The SDK adds up, per {@code thread/tokenUsage/updated} of the turn (the server
     * sends one after each model call), how much the thread's total grew since the previous one;
     * the turn's first update, and one whose total went down (history compacted, or the thread
     * resumed in a restarted server that counts afresh), count their {@code last} (that model
     * call) instead. So a repeated update counts once, and a restart or compaction neither loses
     * the turn's calls nor counts the thread's earlier turns.
     *
     * <pre>{@code
     * RunResult r = thread.run("Run the tests and fix what fails");
     * long spent = r.turnUsage().map(TokenCount::totalTokens).orElse(0L);
     * }</pre>
     *
     * @return the turn's tokens; empty when the server reported none during the turn (no model
     *     call finished, as in a turn interrupted or failed before the model answered)
     */
    public Optional<TokenCount> turnUsage() {
        return turnUsage;
    }

    /** @return the thread's tokens so far (its {@code total} at the turn's last update), if reported */
    public Optional<TokenCount> threadUsage() {
        return threadUsage;
    }

    /**
     * @return how full the model's context window was after the turn's last model call; empty when
     *     no usage was reported or the server did not say the window's size
     */
    public Optional<ContextWindow> contextWindow() {
        return contextWindow;
    }

    /** @return the model the turn ran on, as the client knows it (the turn's override, else the thread's), if known */
    public Optional<String> model() {
        return model;
    }

    /**
     * @return what {@link #turnUsage()} cost at the client's {@link PriceTable}
     *     ({@link CodexBuilder#prices}); {@link Cost.Unknown} when the model has no price (or the
     *     client has no table), never zero for lack of a price
     */
    public Cost cost() {
        return cost;
    }

    /**
     * @return why this turn crossed a {@link Budget} (whose budget, spent how far), when it did on
     *     any of its usage updates; the client then interrupted it, so the status is
     *     {@code interrupted}, or {@code completed} when the turn ended before the interrupt took.
     *     Always present for a turn the client stopped for its budget (the result waits for the
     *     budget's verdict on every usage update of the turn)
     */
    public Optional<String> budgetExceeded() {
        return budgetExceeded;
    }

    /** @return wall time from {@code turn/start} to {@code turn/completed}, as seen by the client */
    public long durationMs() {
        return durationMs;
    }

    /**
     * What the turn's sub-agents spent (the whole tree of child threads it started or gave work
     * to), when the turn was run with {@link TurnOptions.Builder#subAgentUsage(java.time.Duration)}.
     * The server reports their tokens on their own threads, so {@link #turnUsage()} and
     * {@link #cost()} never include them; see {@link SubAgentUsage} for when they are counted.
     *
     * @return the sub-agents' usage, or empty when the turn did not follow them
     */
    public Optional<SubAgentUsage> subAgentUsage() {
        return subAgentUsage;
    }

    /**
     * @return {@link #turnUsage()} plus {@link #subAgentUsage()}'s tokens; {@code turnUsage()}
     *     when sub-agents were not followed; empty when neither was reported
     */
    public Optional<TokenCount> totalUsage() {
        if (subAgentUsage.isEmpty()) {
            return turnUsage;
        }
        return Optional.of(turnUsage.orElse(TokenCount.ZERO).plus(subAgentUsage.get().tokens()));
    }

    /**
     * @return {@link #cost()} plus {@link #subAgentUsage()}'s cost ({@link Cost.Unknown} when a
     *     part is); {@code cost()} when sub-agents were not followed
     */
    public Cost totalCost() {
        return subAgentUsage.map(s -> cost.plus(s.cost())).orElse(cost);
    }

    /** @return why it failed, for a failed (or errored) turn */
    public Optional<TurnError> error() {
        return error;
    }

    /**
     * @param type a kind of item, for example {@code ThreadItem.CommandExecution.class}
     * @param <T> that kind
     * @return the completed items of that kind, in order
     */
    public <T extends ThreadItem> List<T> items(Class<T> type) {
        return items.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** @return the agent messages' texts, in order, commentary included */
    public List<String> agentMessages() {
        return items.stream().map(TurnFold::agentMessageText).filter(Objects::nonNull).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunResult r && turnId.equals(r.turnId) && status.equals(r.status)
                && finalResponse.equals(r.finalResponse) && items.equals(r.items) && usage.equals(r.usage)
                && durationMs == r.durationMs && error.equals(r.error) && turnUsage.equals(r.turnUsage)
                && threadUsage.equals(r.threadUsage) && contextWindow.equals(r.contextWindow) && model.equals(r.model)
                && cost.equals(r.cost) && budgetExceeded.equals(r.budgetExceeded)
                && subAgentUsage.equals(r.subAgentUsage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(turnId, status, finalResponse, items, usage, durationMs, error, turnUsage, threadUsage,
                contextWindow, model, cost, budgetExceeded, subAgentUsage);
    }

    @Override
    public String toString() {
        return "RunResult[turnId=" + turnId + ", status=" + status + ", finalResponse=" + finalResponse + ", items="
                + items.size() + ", turnUsage=" + turnUsage + ", threadUsage=" + threadUsage + ", contextWindow="
                + contextWindow + ", model=" + model + ", cost=" + cost + subAgentUsage.map(u -> ", subAgentUsage=" + u).orElse("") + budgetExceeded.map(b -> ", budgetExceeded=" + b).orElse("") + ", durationMs=" + durationMs + ", error=" + error + "]";
    }

    /**
     * Builds a {@link RunResult} (the SDK builds them; a test may too).
     *
     * <pre>{@code
     * RunResult r = RunResult.builder().turnId("t1").status(TurnStatus.COMPLETED).finalResponse("ok").build();
     * }</pre>
     */
    public static final class Builder {
        private @Nullable String turnId;
        private @Nullable TurnStatus status;
        private @Nullable String finalResponse;
        private List<ThreadItem> items = List.of();
        private @Nullable ThreadTokenUsage usage;
        private long durationMs;
        private @Nullable TurnError error;
        private @Nullable TokenCount turnUsage;
        private @Nullable TokenCount threadUsage;
        private @Nullable ContextWindow contextWindow;
        private @Nullable String model;
        private @Nullable Cost cost;
        private @Nullable SubAgentUsage subAgentUsage;
        private @Nullable String budgetExceeded;

        private Builder() {}

        /** @return this, with the turn */
        public Builder turnId(String turnId) {
            this.turnId = turnId;
            return this;
        }

        /** @return this, with how it ended */
        public Builder status(TurnStatus status) {
            this.status = status;
            return this;
        }

        /** @return this, with the answer (null: none) */
        public Builder finalResponse(@Nullable String finalResponse) {
            this.finalResponse = finalResponse;
            return this;
        }

        /** @return this, with the completed items (copied) */
        public Builder items(List<? extends ThreadItem> items) {
            this.items = List.copyOf(items);
            return this;
        }

        /** @return this, with the token usage (null: not reported) */
        public Builder usage(@Nullable ThreadTokenUsage usage) {
            this.usage = usage;
            return this;
        }

        /** @return this, with the turn's own tokens (null: none reported) */
        public Builder turnUsage(@Nullable TokenCount turnUsage) {
            this.turnUsage = turnUsage;
            return this;
        }

        /** @return this, with the thread's tokens so far (null: not reported) */
        public Builder threadUsage(@Nullable TokenCount threadUsage) {
            this.threadUsage = threadUsage;
            return this;
        }

        /** @return this, with how full the context window was (null: not known) */
        public Builder contextWindow(@Nullable ContextWindow contextWindow) {
            this.contextWindow = contextWindow;
            return this;
        }

        /** @return this, with the model (null: not known) */
        public Builder model(@Nullable String model) {
            this.model = model;
            return this;
        }

        /** @return this, with the sub-agents' usage (null: not followed) */
        public Builder subAgentUsage(@Nullable SubAgentUsage usage) {
            this.subAgentUsage = usage;
            return this;
        }

        /** @return this, with the cost (null: unknown, not priced) */
        public Builder cost(@Nullable Cost cost) {
            this.cost = cost;
            return this;
        }

        /** @return this, with why a budget interrupted it (null: none did) */
        public Builder budgetExceeded(@Nullable String why) {
            this.budgetExceeded = why;
            return this;
        }

        /** @return this, with the wall time */
        public Builder durationMs(long durationMs) {
            this.durationMs = durationMs;
            return this;
        }

        /** @return this, with why it failed (null: it did not) */
        public Builder error(@Nullable TurnError error) {
            this.error = error;
            return this;
        }

        /**
         * @return the result
         * @throws NullPointerException when {@code turnId} or {@code status} is missing
         */
        public RunResult build() {
            return new RunResult(this);
        }
    }
}
