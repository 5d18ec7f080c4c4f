package dev.codex4j;

import static dev.codex4j.internal.sdk.SettingsFields.field;
import static dev.codex4j.internal.sdk.SettingsFields.set;

import dev.codex4j.errors.TurnTimeoutException;
import dev.codex4j.internal.sdk.SettingsFields;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.ReasoningSummary;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.SandboxPolicy;
import dev.codex4j.protocol.types.TurnStartParams;
import dev.codex4j.protocol.types.UserInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Options for one turn ({@code turn/start}): its protocol settings, in the protocol's own types,
 * and what only the SDK does (the turn's approval handler, how long {@code run()} waits). Model,
 * effort, summary, cwd, approval policy and sandbox also apply to later turns of the thread, as the
 * server defines; a supervised client gives them to the thread again after a restart of its server
 * (with the thread's {@code updateSettings}, the latest of each). Absent values are not sent. A parameter these options do not name is set on the
 * generated {@link TurnStartParams.Builder} itself, with {@link Builder#params}.
 *
 * <pre>{@code
 * RunResult r = thread.run("Fix the failing test", TurnOptions.builder()
 *         .effort("high")
 *         .sandbox(SandboxMode.WORKSPACE_WRITE)
 *         .approvalHandler(myReviewer)
 *         .timeout(Duration.ofMinutes(10))
 *         .params(p -> p.personality(Personality.PRAGMATIC))
 *         .build());
 * }</pre>
 */
public final class TurnOptions {
    private static final TurnOptions DEFAULTS = new Builder().build();

    /** Model, effort, summary, approval mode or policy, sandbox policy. */
    private final SettingsFields fields;
    private final @Nullable Path cwd;
    private final @Nullable JsonNode outputSchema;
    private final @Nullable ApprovalHandler approvalHandler;
    private final @Nullable Duration timeout;
    private final @Nullable Consumer<TurnStartParams.Builder> params;
    private final @Nullable Duration subAgentUsage;

    private TurnOptions(Builder b) {
        this.fields = b.fields.checked();
        if (b.subAgentUsage != null && b.subAgentUsage.isNegative()) {
            throw new IllegalArgumentException("subAgentUsage's wait must not be negative: " + b.subAgentUsage);
        }
        this.subAgentUsage = b.subAgentUsage;
        if (b.timeout != null && (b.timeout.isNegative() || b.timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + b.timeout);
        }
        this.cwd = b.cwd;
        this.outputSchema = b.outputSchema == null ? null : b.outputSchema.deepCopy();
        this.approvalHandler = b.approvalHandler;
        this.timeout = b.timeout;
        this.params = b.params;
    }

    /** @return options that change nothing */
    public static TurnOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.fields = fields;
        b.cwd = cwd;
        b.outputSchema = outputSchema;
        b.approvalHandler = approvalHandler;
        b.timeout = timeout;
        b.params = params;
        b.subAgentUsage = subAgentUsage;
        return b;
    }

    /** @return the model, or null */
    public @Nullable String model() {
        return fields.model();
    }

    /** @return the reasoning effort ({@code low}, {@code medium}, {@code high}...), or null */
    public @Nullable String effort() {
        return fields.effort();
    }

    /** @return the reasoning summary mode, or null */
    public @Nullable ReasoningSummary summary() {
        return fields.summary();
    }

    /** @return the working directory, or null */
    public @Nullable Path cwd() {
        return cwd;
    }

    /** @return when to ask for approval, or null */
    public @Nullable AskForApproval approvalPolicy() {
        return fields.approvalPolicy();
    }

    /**
     * @return the approval preset (sent as {@code approvalPolicy} and {@code approvalsReviewer};
     *     {@link ApprovalMode#ACCEPT_ALL} also answers the turn's approvals), or null
     */
    public @Nullable ApprovalMode approvalMode() {
        return fields.approvalMode();
    }

    /** @return the sandbox policy, or null */
    public @Nullable SandboxPolicy sandboxPolicy() {
        return fields.sandboxPolicy();
    }

    /** @return a JSON Schema the final answer must follow, or null */
    public @Nullable JsonNode outputSchema() {
        return outputSchema == null ? null : outputSchema.deepCopy();
    }

    /** @return the handler of this turn's approval requests (instead of the client's), or null */
    public @Nullable ApprovalHandler approvalHandler() {
        return approvalHandler;
    }

    /**
     * @return how long {@code run()} waits for the turn before it interrupts it and throws
     *     {@link TurnTimeoutException}; null waits until the turn ends or the connection closes
     */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /**
     * @return how long the result waits, after the turn ended, for the turn's sub-agents to end
     *     their turns before it sums their usage ({@link RunResult#subAgentUsage()}); null: their
     *     usage is not followed (the default)
     */
    public @Nullable Duration subAgentUsage() {
        return subAgentUsage;
    }

    /** {@code turn/start}'s params for these options. */
    TurnStartParams startParams(String threadId, List<UserInput> input) {
        TurnStartParams.Builder p = TurnStartParams.builder();
        fields.applyTo(p::model, p::effort, p::summary, p::approvalPolicy, p::approvalsReviewer, p::sandboxPolicy);
        set(cwd == null ? null : cwd.toAbsolutePath().toString(), p::cwd);
        set(outputSchema, p::outputSchema);
        if (params != null) {
            params.accept(p);
        }
        return p.threadId(threadId).input(input).build();
    }

    @Override
    public String toString() {
        StringBuilder b = fields.appendTo(new StringBuilder("TurnOptions["));
        field(b, "cwd", cwd);
        field(b, "outputSchema", outputSchema);
        field(b, "approvalHandler", approvalHandler);
        field(b, "timeout", timeout);
        field(b, "params", params == null ? null : "(customized)");
        field(b, "subAgentUsage", subAgentUsage);
        return b.append(']').toString();
    }

    /** Builds {@link TurnOptions}. */
    public static final class Builder {
        private SettingsFields fields = SettingsFields.NONE;
        private @Nullable Path cwd;
        private @Nullable JsonNode outputSchema;
        private @Nullable ApprovalHandler approvalHandler;
        private @Nullable Duration timeout;
        private @Nullable Consumer<TurnStartParams.Builder> params;
        private @Nullable Duration subAgentUsage;

        private Builder() {}

        /**
         * Follows the sub-agents this turn starts or gives work to, their own sub-agents included
         * (the whole tree), and adds what they spend to the result: {@link RunResult#subAgentUsage()},
         * {@link RunResult#totalUsage()}, {@link RunResult#totalCost()}. The server reports a
         * sub-agent's tokens only on its own thread, and a sub-agent may still be working when the
         * parent's turn ends: the result then waits up to {@code wait} for every sub-agent to end its
         * turns ({@link SubAgentUsage#settled()} says whether they did); {@link Duration#ZERO}
         * counts what they had reported by the parent's end. The wait happens where the turn's end
         * is folded, so {@code run()} returns, and {@code events()} gives its
         * {@link TurnEvent.Completed}, up to {@code wait} later (on top of {@link #timeout}); an
         * interrupt of the waiting thread ends the wait. Off by default: it costs a subscription (a
         * virtual thread, a copy of each notification) per thread followed.
         *
         * @param wait how long the result waits for running sub-agents, or null not to follow them
         * @return this
         */
        public Builder subAgentUsage(@Nullable Duration wait) {
            this.subAgentUsage = wait;
            return this;
        }

        /**
         * Who approves this turn's requests, and the thread's later turns as the server keeps
         * {@code approvalPolicy} and {@code approvalsReviewer} (see {@link ApprovalMode}). Cannot
         * be combined with {@link #approvalPolicy}. With {@link ApprovalMode#ACCEPT_ALL} the turn's
         * approvals are answered by {@link ApprovalHandler#acceptAll()}, unless
         * {@link #approvalHandler} is set too.
         *
         * @param mode the mode, or null
         * @return this
         */
        public Builder approvalMode(@Nullable ApprovalMode mode) {
            fields = fields.withApprovalMode(mode);
            return this;
        }

        /**
         * The turn's sandbox as a preset, sent as its {@code sandboxPolicy} (see
         * {@link SandboxPreset}); the same as {@code sandboxPolicy(preset.policy())}.
         *
         * @param preset the preset, or null to send none
         * @return this
         */
        public Builder sandboxPreset(@Nullable SandboxPreset preset) {
            fields = fields.withSandboxPolicy(preset == null ? null : preset.policy());
            return this;
        }

        /** @return this, with the model set */
        public Builder model(@Nullable String model) {
            fields = fields.withModel(model);
            return this;
        }

        /** @return this, with the reasoning effort set ({@code low}, {@code medium}, {@code high}...) */
        public Builder effort(@Nullable String effort) {
            fields = fields.withEffort(effort);
            return this;
        }

        /** @return this, with the reasoning summary mode set ({@code ReasoningSummary.CONCISE}, ...) */
        public Builder summary(@Nullable ReasoningSummary summary) {
            fields = fields.withSummary(summary);
            return this;
        }

        /** @return this, with the working directory set */
        public Builder cwd(@Nullable Path cwd) {
            this.cwd = cwd;
            return this;
        }

        /** @return this, with the approval policy set ({@code AskForApproval.ON_REQUEST}, ...) */
        public Builder approvalPolicy(@Nullable AskForApproval approvalPolicy) {
            fields = fields.withApprovalPolicy(approvalPolicy);
            return this;
        }

        /**
         * The sandbox as one of the three modes: {@code READ_ONLY}, {@code WORKSPACE_WRITE} and
         * {@code DANGER_FULL_ACCESS} become the sandbox policy of that type with the server's
         * defaults (see {@link #sandboxPolicy} for writable roots, network access, ...).
         *
         * @param mode the mode, or null to send none
         * @return this
         * @throws IllegalArgumentException for a mode this SDK does not know
         */
        public Builder sandbox(@Nullable SandboxMode mode) {
            fields = fields.withSandboxPolicy(mode == null ? null : switch (mode.known()) {
                case READ_ONLY -> SandboxPolicy.ReadOnly.builder().build();
                case WORKSPACE_WRITE -> SandboxPolicy.WorkspaceWrite.builder().build();
                case DANGER_FULL_ACCESS -> SandboxPolicy.DangerFullAccess.builder().build();
                case _UNKNOWN -> throw new IllegalArgumentException("No sandbox policy for the mode " + mode.value()
                        + ": give the policy itself with sandboxPolicy(...)");
            });
            return this;
        }

        /**
         * @param policy for example {@code SandboxPolicy.WorkspaceWrite.builder().writableRoots(List.of("/data")).networkAccess(true).build()}
         * @return this
         */
        public Builder sandboxPolicy(@Nullable SandboxPolicy policy) {
            fields = fields.withSandboxPolicy(policy);
            return this;
        }

        /** @return this, with a JSON Schema for the final answer */
        public Builder outputSchema(@Nullable JsonNode schema) {
            this.outputSchema = schema;
            return this;
        }

        /** @return this, with a handler for this turn's approvals */
        public Builder approvalHandler(@Nullable ApprovalHandler handler) {
            this.approvalHandler = handler;
            return this;
        }

        /** @return this, with a bound on how long run() waits */
        public Builder timeout(@Nullable Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets anything else on {@code turn/start}'s generated params builder; runs after the
         * options above were applied, so it can also override them (but not {@code threadId} and
         * {@code input}, which are always the turn's). Calls add up.
         *
         * @param customizer for example {@code p -> p.personality(Personality.PRAGMATIC)}
         * @return this
         */
        public Builder params(Consumer<TurnStartParams.Builder> customizer) {
            this.params = params == null ? customizer : params.andThen(customizer);
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException when the timeout is zero or negative, the sub-agents'
         *     wait is negative, or both an approval mode and an approval policy are set
         */
        public TurnOptions build() {
            return new TurnOptions(this);
        }
    }
}
