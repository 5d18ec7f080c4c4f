package dev.codex4j;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Options for {@code thread/start}, {@code thread/resume} and {@code thread/fork}. Absent values
 * are not sent, so the server's configuration applies. Anything the protocol has that is not
 * named here goes through {@link Builder#param(String, Object)}.
 *
 * <pre>{@code
 * CodexThread t = codex.startThread(ThreadOptions.builder()
 *         .model("gpt-5.5")
 *         .cwd(Path.of("/srv/repo"))
 *         .approvalPolicy(ApprovalPolicy.ON_REQUEST)
 *         .sandbox(Sandbox.WORKSPACE_WRITE)
 *         .developerInstructions("Answer briefly.")
 *         .build());
 * }</pre>
 *
 * @param model the model, or null
 * @param modelProvider the model provider id, or null
 * @param cwd the thread's working directory, or null for the server's
 * @param approvalPolicy when to ask for approval, or null
 * @param sandbox the sandbox preset, or null
 * @param developerInstructions extra developer instructions, or null
 * @param baseInstructions replaces the model's base instructions, or null
 * @param ephemeral whether the thread is kept only in memory, or null
 * @param config config overrides for this thread (dotted keys), or empty
 * @param extra further protocol parameters by wire name
 */
public record ThreadOptions(
        @Nullable String model,
        @Nullable String modelProvider,
        @Nullable Path cwd,
        @Nullable ApprovalPolicy approvalPolicy,
        @Nullable Sandbox sandbox,
        @Nullable String developerInstructions,
        @Nullable String baseInstructions,
        @Nullable Boolean ephemeral,
        Map<String, JsonNode> config,
        Map<String, JsonNode> extra) {

    /** Copies the maps; rejects a raw sandbox policy, which threads do not take. */
    public ThreadOptions {
        config = Params.copyExtra(config);
        extra = Params.copyExtra(extra);
        if (sandbox != null && sandbox.mode() == null) {
            throw new IllegalArgumentException(
                    "A thread takes a sandbox preset (Sandbox.READ_ONLY...), not a raw policy; set raw policies per turn");
        }
    }

    /** @return options that change nothing */
    public static ThreadOptions defaults() {
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
        b.modelProvider = modelProvider;
        b.cwd = cwd;
        b.approvalPolicy = approvalPolicy;
        b.sandbox = sandbox;
        b.developerInstructions = developerInstructions;
        b.baseInstructions = baseInstructions;
        b.ephemeral = ephemeral;
        b.config.putAll(config);
        b.extra.putAll(extra);
        return b;
    }

    /** Writes these options into request params. */
    void writeTo(ObjectNode p) {
        Params.put(p, "model", model);
        Params.put(p, "modelProvider", modelProvider);
        Params.put(p, "cwd", cwd == null ? null : cwd.toAbsolutePath().toString());
        Params.put(p, "approvalPolicy", approvalPolicy == null ? null : approvalPolicy.json());
        Params.put(p, "sandbox", sandbox == null ? null : sandbox.mode());
        Params.put(p, "developerInstructions", developerInstructions);
        Params.put(p, "baseInstructions", baseInstructions);
        Params.put(p, "ephemeral", ephemeral);
        if (!config.isEmpty()) {
            ObjectNode c = p.putObject("config");
            config.forEach(c::set);
        }
        extra.forEach(p::set);
    }

    /** Builds {@link ThreadOptions}. */
    public static final class Builder {
        private @Nullable String model;
        private @Nullable String modelProvider;
        private @Nullable Path cwd;
        private @Nullable ApprovalPolicy approvalPolicy;
        private @Nullable Sandbox sandbox;
        private @Nullable String developerInstructions;
        private @Nullable String baseInstructions;
        private @Nullable Boolean ephemeral;
        private final Map<String, JsonNode> config = new LinkedHashMap<>();
        private final Map<String, JsonNode> extra = new LinkedHashMap<>();

        private Builder() {}

        /** @return this, with the model set */
        public Builder model(@Nullable String model) {
            this.model = model;
            return this;
        }

        /** @return this, with the model provider set */
        public Builder modelProvider(@Nullable String modelProvider) {
            this.modelProvider = modelProvider;
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

        /** @return this, with the sandbox preset set */
        public Builder sandbox(@Nullable Sandbox sandbox) {
            this.sandbox = sandbox;
            return this;
        }

        /** @return this, with developer instructions set */
        public Builder developerInstructions(@Nullable String text) {
            this.developerInstructions = text;
            return this;
        }

        /** @return this, with base instructions set */
        public Builder baseInstructions(@Nullable String text) {
            this.baseInstructions = text;
            return this;
        }

        /** @return this, with ephemeral set (ephemeral threads cannot be resumed after exit) */
        public Builder ephemeral(@Nullable Boolean ephemeral) {
            this.ephemeral = ephemeral;
            return this;
        }

        /** @return this, with one config override (a dotted key and a JSON-able value) */
        public Builder config(String key, Object value) {
            config.put(Objects.requireNonNull(key, "key"), Params.tree(value));
            return this;
        }

        /** @return this, with any other protocol parameter by its wire name */
        public Builder param(String name, Object value) {
            extra.put(Objects.requireNonNull(name, "name"), Params.tree(value));
            return this;
        }

        /** @return the options */
        public ThreadOptions build() {
            return new ThreadOptions(model, modelProvider, cwd, approvalPolicy, sandbox, developerInstructions,
                    baseInstructions, ephemeral, config, extra);
        }
    }
}
