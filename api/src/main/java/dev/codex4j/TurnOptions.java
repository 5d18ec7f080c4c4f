package dev.codex4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Options for one turn ({@code turn/start}). Model, effort, cwd, approval policy and sandbox
 * also apply to later turns of the thread, as the server defines. Absent values are not sent.
 *
 * <pre>{@code
 * RunResult r = thread.run("Fix the failing test", TurnOptions.builder()
 *         .effort("high")
 *         .sandbox(Sandbox.WORKSPACE_WRITE)
 *         .approvalHandler(myReviewer)
 *         .timeout(Duration.ofMinutes(10))
 *         .build());
 * }</pre>
 *
 * @param model the model, or null
 * @param effort the reasoning effort ({@code low}, {@code medium}, {@code high}...), or null
 * @param summary the reasoning summary mode ({@code auto}, {@code concise}, {@code detailed}, {@code none}), or null
 * @param cwd the working directory, or null
 * @param approvalPolicy when to ask for approval, or null
 * @param sandbox the sandbox (preset or raw policy), or null
 * @param outputSchema a JSON Schema the final answer must follow, or null
 * @param approvalHandler answers this turn's approval requests instead of the client's handler, or null
 * @param timeout how long {@code run()} waits for the turn before it interrupts it and throws
 *     {@link TurnTimeoutException}; null waits until the turn ends or the connection closes
 * @param extra further protocol parameters by wire name
 */
public record TurnOptions(
        @Nullable String model,
        @Nullable String effort,
        @Nullable String summary,
        @Nullable Path cwd,
        @Nullable ApprovalPolicy approvalPolicy,
        @Nullable Sandbox sandbox,
        @Nullable JsonNode outputSchema,
        @Nullable ApprovalHandler approvalHandler,
        @Nullable Duration timeout,
        Map<String, JsonNode> extra) {

    /** Copies the map; checks the timeout. */
    public TurnOptions {
        extra = Params.copyExtra(extra);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        outputSchema = outputSchema == null ? null : outputSchema.deepCopy();
    }

    /** @return options that change nothing */
    public static TurnOptions defaults() {
        return builder().build();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.effort = effort;
        b.summary = summary;
        b.cwd = cwd;
        b.approvalPolicy = approvalPolicy;
        b.sandbox = sandbox;
        b.outputSchema = outputSchema;
        b.approvalHandler = approvalHandler;
        b.timeout = timeout;
        b.extra.putAll(extra);
        return b;
    }

    void writeTo(ObjectNode p) {
        Params.put(p, "model", model);
        Params.put(p, "effort", effort);
        Params.put(p, "summary", summary);
        Params.put(p, "cwd", cwd == null ? null : cwd.toAbsolutePath().toString());
        Params.put(p, "approvalPolicy", approvalPolicy == null ? null : approvalPolicy.json());
        Params.put(p, "sandboxPolicy", sandbox == null ? null : sandbox.policy());
        Params.put(p, "outputSchema", outputSchema);
        extra.forEach(p::set);
    }

    /** Builds {@link TurnOptions}. */
    public static final class Builder {
        private @Nullable String model;
        private @Nullable String effort;
        private @Nullable String summary;
        private @Nullable Path cwd;
        private @Nullable ApprovalPolicy approvalPolicy;
        private @Nullable Sandbox sandbox;
        private @Nullable JsonNode outputSchema;
        private @Nullable ApprovalHandler approvalHandler;
        private @Nullable Duration timeout;
        private final Map<String, JsonNode> extra = new LinkedHashMap<>();

        private Builder() {}

        /** @return this, with the model set */
        public Builder model(@Nullable String model) {
            this.model = model;
            return this;
        }

        /** @return this, with the reasoning effort set */
        public Builder effort(@Nullable String effort) {
            this.effort = effort;
            return this;
        }

        /** @return this, with the reasoning summary mode set */
        public Builder summary(@Nullable String summary) {
            this.summary = summary;
            return this;
        }

        /** @return this, with the working directory set */
        public Builder cwd(@Nullable Path cwd) {
            this.cwd = cwd;
            return this;
        }

        /** @return this, with the approval policy set */
        public Builder approvalPolicy(@Nullable ApprovalPolicy approvalPolicy) {
            this.approvalPolicy = approvalPolicy;
            return this;
        }

        /** @return this, with the sandbox set */
        public Builder sandbox(@Nullable Sandbox sandbox) {
            this.sandbox = sandbox;
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

        /** @return this, with any other protocol parameter by its wire name */
        public Builder param(String name, Object value) {
            extra.put(Objects.requireNonNull(name, "name"), Params.tree(value));
            return this;
        }

        /** @return the options */
        public TurnOptions build() {
            return new TurnOptions(model, effort, summary, cwd, approvalPolicy, sandbox, outputSchema,
                    approvalHandler, timeout, extra);
        }
    }
}
