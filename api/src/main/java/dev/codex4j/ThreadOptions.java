package dev.codex4j;

import static dev.codex4j.internal.sdk.SettingsFields.field;
import static dev.codex4j.internal.sdk.SettingsFields.set;

import dev.codex4j.internal.sdk.ThreadTools;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.ApprovalsReviewer;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.ThreadForkParams;
import dev.codex4j.protocol.types.ThreadResumeParams;
import dev.codex4j.protocol.types.ThreadStartParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Options for {@code thread/start}, {@code thread/resume} and {@code thread/fork}, in the
 * protocol's own types. Absent values are not sent, so the server's configuration applies. A
 * parameter these options do not name is set on the generated params builder itself, with
 * {@link Builder#startParams}, {@link Builder#resumeParams} or {@link Builder#forkParams}.
 *
 * <pre>{@code
 * CodexThread t = codex.startThread(ThreadOptions.builder()
 *         .model("gpt-5.5")
 *         .cwd(Path.of("/srv/repo"))
 *         .approvalPolicy(AskForApproval.ON_REQUEST)
 *         .sandbox(SandboxMode.WORKSPACE_WRITE)
 *         .developerInstructions("Answer briefly.")
 *         .startParams(p -> p.personality(Personality.PRAGMATIC))
 *         .build());
 * }</pre>
 */
public final class ThreadOptions {
    private static final ThreadOptions DEFAULTS = new Builder().build();

    private final @Nullable String model;
    private final @Nullable String modelProvider;
    private final @Nullable Path cwd;
    private final @Nullable AskForApproval approvalPolicy;
    private final @Nullable SandboxMode sandbox;
    private final @Nullable String developerInstructions;
    private final @Nullable String baseInstructions;
    private final @Nullable Boolean ephemeral;
    private final Map<String, JsonNode> config;
    private final @Nullable Consumer<ThreadStartParams.Builder> startParams;
    private final @Nullable Consumer<ThreadResumeParams.Builder> resumeParams;
    private final @Nullable Consumer<ThreadForkParams.Builder> forkParams;
    private final List<Tool> tools;
    private final @Nullable ApprovalMode approvalMode;
    private final @Nullable SandboxPreset sandboxPreset;
    private final List<ToolInterceptor> interceptors;

    private ThreadOptions(Builder b) {
        if (b.approvalMode != null && b.approvalPolicy != null) {
            throw new IllegalArgumentException("Both an approval mode (" + b.approvalMode + ") and an approval policy ("
                    + b.approvalPolicy + ") are set: the mode sends the policy, set one of them");
        }
        if (b.sandboxPreset != null && b.sandbox != null) {
            throw new IllegalArgumentException("Both a sandbox preset (" + b.sandboxPreset + ") and a sandbox mode ("
                    + b.sandbox + ") are set: the preset sends the mode, set one of them");
        }
        this.approvalMode = b.approvalMode;
        this.sandboxPreset = b.sandboxPreset;
        this.model = b.model;
        this.modelProvider = b.modelProvider;
        this.cwd = b.cwd;
        this.approvalPolicy = b.approvalPolicy;
        this.sandbox = b.sandbox;
        this.developerInstructions = b.developerInstructions;
        this.baseInstructions = b.baseInstructions;
        this.ephemeral = b.ephemeral;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
        this.startParams = b.startParams;
        this.resumeParams = b.resumeParams;
        this.forkParams = b.forkParams;
        this.tools = List.copyOf(b.tools);
        this.interceptors = List.copyOf(b.interceptors);
        ThreadTools.of(tools); // checks that the names differ
    }

    /** @return options that change nothing */
    public static ThreadOptions defaults() {
        return DEFAULTS;
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
        b.startParams = startParams;
        b.resumeParams = resumeParams;
        b.forkParams = forkParams;
        b.tools.addAll(tools);
        b.approvalMode = approvalMode;
        b.sandboxPreset = sandboxPreset;
        b.interceptors.addAll(interceptors);
        return b;
    }

    /** @return the model, or null for the server's */
    public @Nullable String model() {
        return model;
    }

    /** @return the model provider id, or null */
    public @Nullable String modelProvider() {
        return modelProvider;
    }

    /** @return the thread's working directory, or null for the server's */
    public @Nullable Path cwd() {
        return cwd;
    }

    /** @return when to ask for approval, or null */
    public @Nullable AskForApproval approvalPolicy() {
        return approvalPolicy;
    }

    /** @return the sandbox mode, or null */
    public @Nullable SandboxMode sandbox() {
        return sandbox;
    }

    /** @return the approval preset (sent as {@code approvalPolicy} and {@code approvalsReviewer}), or null */
    public @Nullable ApprovalMode approvalMode() {
        return approvalMode;
    }

    /** @return the sandbox preset (sent as {@code sandbox} and its config overrides), or null */
    public @Nullable SandboxPreset sandboxPreset() {
        return sandboxPreset;
    }

    /** @return extra developer instructions, or null */
    public @Nullable String developerInstructions() {
        return developerInstructions;
    }

    /** @return instructions that replace the model's base instructions, or null */
    public @Nullable String baseInstructions() {
        return baseInstructions;
    }

    /** @return whether the thread is kept only in memory, or null */
    public @Nullable Boolean ephemeral() {
        return ephemeral;
    }

    /** @return config overrides for this thread by dotted key (sent as {@code config}), or empty */
    public Map<String, JsonNode> config() {
        return config;
    }

    /**
     * @return the tools this client answers for the thread: sent as {@code dynamicTools} by
     *     {@link Codex#startThread(ThreadOptions)}, only registered locally by
     *     {@link Codex#resumeThread(String, ThreadOptions)} and {@link Codex#forkThread(String, ThreadOptions)}
     *     (the server keeps a thread's tools with the thread)
     */
    public List<Tool> tools() {
        return tools;
    }

    /** @return what runs around each call of {@link #tools()}, in order (see {@link ToolInterceptor}) */
    public List<ToolInterceptor> interceptors() {
        return interceptors;
    }

    /** {@code thread/start}'s params. */
    ThreadStartParams startParams() {
        ThreadStartParams.Builder p = ThreadStartParams.builder();
        common(p::model, p::modelProvider, p::cwd, p::approvalPolicy, p::sandbox, p::developerInstructions,
                p::baseInstructions, p::config);
        set(ephemeral, p::ephemeral);
        set(approvalsReviewer(), p::approvalsReviewer);
        if (!tools.isEmpty()) {
            p.dynamicTools(tools.stream().map(Tool::spec).toList());
        }
        if (startParams != null) {
            startParams.accept(p);
        }
        return p.build();
    }

    /**
     * {@code thread/resume}'s params.
     *
     * @throws IllegalArgumentException when {@link #ephemeral()} is set: a thread is ephemeral or
     *     not from its start, and {@code thread/resume} has no such parameter
     */
    ThreadResumeParams resumeParams(String threadId) {
        if (ephemeral != null) {
            throw new IllegalArgumentException("thread/resume takes no ephemeral: a thread is ephemeral or not"
                    + " from its start (leave ephemeral unset to resume)");
        }
        ThreadResumeParams.Builder p = ThreadResumeParams.builder();
        common(p::model, p::modelProvider, p::cwd, p::approvalPolicy, p::sandbox, p::developerInstructions,
                p::baseInstructions, p::config);
        set(approvalsReviewer(), p::approvalsReviewer);
        if (resumeParams != null) {
            resumeParams.accept(p);
        }
        return p.threadId(threadId).build();
    }

    /** {@code thread/fork}'s params. */
    ThreadForkParams forkParams(String threadId) {
        ThreadForkParams.Builder p = ThreadForkParams.builder();
        common(p::model, p::modelProvider, p::cwd, p::approvalPolicy, p::sandbox, p::developerInstructions,
                p::baseInstructions, p::config);
        set(ephemeral, p::ephemeral);
        set(approvalsReviewer(), p::approvalsReviewer);
        if (forkParams != null) {
            forkParams.accept(p);
        }
        return p.threadId(threadId).build();
    }

    /** Sets what the three requests share (their builders have no common type, so by their setters). */
    private void common(Consumer<String> model, Consumer<String> modelProvider, Consumer<String> cwd,
            Consumer<AskForApproval> approvalPolicy, Consumer<SandboxMode> sandbox, Consumer<String> developerInstructions,
            Consumer<String> baseInstructions, Consumer<JsonNode> config) {
        set(this.model, model);
        set(this.modelProvider, modelProvider);
        set(this.cwd == null ? null : this.cwd.toAbsolutePath().toString(), cwd);
        set(approvalMode != null ? approvalMode.approvalPolicy() : this.approvalPolicy, approvalPolicy);
        set(sandboxPreset != null ? sandboxPreset.mode() : this.sandbox, sandbox);
        set(this.developerInstructions, developerInstructions);
        set(this.baseInstructions, baseInstructions);
        set(configJson(), config);
    }

    private @Nullable ApprovalsReviewer approvalsReviewer() {
        return approvalMode == null ? null : approvalMode.approvalsReviewer();
    }

    private @Nullable JsonNode configJson() {
        Map<String, JsonNode> presetConfig = sandboxPreset == null ? Map.of() : sandboxPreset.threadConfig();
        if (config.isEmpty() && presetConfig.isEmpty()) {
            return null;
        }
        ObjectNode c = ProtocolCodec.emptyObject();
        presetConfig.forEach((k, v) -> c.set(k, v.deepCopy())); // an explicit config(key, ...) wins
        config.forEach((k, v) -> c.set(k, v.deepCopy()));
        return c;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ThreadOptions[");
        field(b, "model", model);
        field(b, "modelProvider", modelProvider);
        field(b, "cwd", cwd);
        field(b, "approvalPolicy", approvalPolicy);
        field(b, "sandbox", sandbox);
        field(b, "approvalMode", approvalMode);
        field(b, "sandboxPreset", sandboxPreset);
        field(b, "developerInstructions", developerInstructions);
        field(b, "baseInstructions", baseInstructions);
        field(b, "ephemeral", ephemeral);
        field(b, "config", config.isEmpty() ? null : config);
        field(b, "startParams", startParams == null ? null : "(customized)");
        field(b, "resumeParams", resumeParams == null ? null : "(customized)");
        field(b, "forkParams", forkParams == null ? null : "(customized)");
        field(b, "tools", tools.isEmpty() ? null : tools.stream().map(Tool::name).toList());
        field(b, "interceptors", interceptors.isEmpty() ? null : interceptors.stream().map(ToolInterceptor::name).toList());
        return b.append(']').toString();
    }

    /** Builds {@link ThreadOptions}. */
    public static final class Builder {
        private @Nullable String model;
        private @Nullable String modelProvider;
        private @Nullable Path cwd;
        private @Nullable AskForApproval approvalPolicy;
        private @Nullable SandboxMode sandbox;
        private @Nullable String developerInstructions;
        private @Nullable String baseInstructions;
        private @Nullable Boolean ephemeral;
        private final Map<String, JsonNode> config = new LinkedHashMap<>();
        private @Nullable Consumer<ThreadStartParams.Builder> startParams;
        private @Nullable Consumer<ThreadResumeParams.Builder> resumeParams;
        private @Nullable Consumer<ThreadForkParams.Builder> forkParams;
        private final List<Tool> tools = new ArrayList<>();
        private @Nullable ApprovalMode approvalMode;
        private @Nullable SandboxPreset sandboxPreset;
        private final List<ToolInterceptor> interceptors = new ArrayList<>();

        private Builder() {}

        /**
         * Who approves the thread's requests (see {@link ApprovalMode}); sent as
         * {@code approvalPolicy} and {@code approvalsReviewer}, so it cannot be combined with
         * {@link #approvalPolicy}. {@link ApprovalMode#ACCEPT_ALL} also answers the approvals of
         * the turns this {@code CodexThread} runs.
         *
         * @param mode the mode, or null for the server's configuration and the client's handler
         * @return this
         */
        public Builder approvalMode(@Nullable ApprovalMode mode) {
            this.approvalMode = mode;
            return this;
        }

        /**
         * The thread's sandbox as a preset (see {@link SandboxPreset}); sent as {@code sandbox}
         * and config overrides, so it cannot be combined with {@link #sandbox(SandboxMode)}.
         *
         * @param preset the preset, or null for the server's configuration
         * @return this
         */
        public Builder sandboxPreset(@Nullable SandboxPreset preset) {
            this.sandboxPreset = preset;
            return this;
        }

        /**
         * Adds code that runs around every call of this thread's {@link #tool(Tool) tools}, after
         * the interceptors added before it (see {@link ToolInterceptor}). Client-side only: nothing
         * is sent to the server.
         *
         * @param interceptor the interceptor
         * @return this
         */
        public Builder interceptor(ToolInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds a Java function the model can call on this thread (see {@link Tool}). Starting a
         * thread with tools needs a client with {@link CodexBuilder#experimentalApi(boolean)
         * experimentalApi(true)}. Names must differ ({@link #build()} checks).
         *
         * @param tool the tool
         * @return this
         */
        public Builder tool(Tool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /**
         * Adds tools, for example {@link Tool#from(Object)}'s.
         *
         * @param tools the tools
         * @return this
         */
        public Builder tools(Collection<Tool> tools) {
            tools.forEach(this::tool);
            return this;
        }

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

        /** @return this, with the approval policy set ({@code AskForApproval.ON_REQUEST}, ...) */
        public Builder approvalPolicy(@Nullable AskForApproval approvalPolicy) {
            this.approvalPolicy = approvalPolicy;
            return this;
        }

        /** @return this, with the sandbox mode set ({@code SandboxMode.READ_ONLY}, ...) */
        public Builder sandbox(@Nullable SandboxMode sandbox) {
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

        /**
         * @return this, with ephemeral set (ephemeral threads cannot be resumed after exit;
         *     {@code thread/resume} takes no ephemeral and refuses options that set it)
         */
        public Builder ephemeral(@Nullable Boolean ephemeral) {
            this.ephemeral = ephemeral;
            return this;
        }

        /**
         * One config override for this thread.
         *
         * @param key a dotted key, for example {@code model_reasoning_effort}
         * @param value a string, number, boolean, list, map or {@code JsonNode}
         * @return this
         */
        public Builder config(String key, Object value) {
            config.put(Objects.requireNonNull(key, "key"), value instanceof JsonNode n ? n.deepCopy()
                    : ProtocolCodec.mapper().valueToTree(Objects.requireNonNull(value, "value")));
            return this;
        }

        /**
         * Sets anything else on {@code thread/start}'s generated params builder; runs after the
         * options above were applied, so it can also override them. Calls add up.
         *
         * @param customizer for example {@code p -> p.personality(Personality.PRAGMATIC)}
         * @return this
         */
        public Builder startParams(Consumer<ThreadStartParams.Builder> customizer) {
            this.startParams = startParams == null ? customizer : startParams.andThen(customizer);
            return this;
        }

        /**
         * Sets anything else on {@code thread/resume}'s generated params builder, as
         * {@link #startParams} (but not {@code threadId}, which is always the resumed thread's).
         *
         * @param customizer what to set
         * @return this
         */
        public Builder resumeParams(Consumer<ThreadResumeParams.Builder> customizer) {
            this.resumeParams = resumeParams == null ? customizer : resumeParams.andThen(customizer);
            return this;
        }

        /**
         * Sets anything else on {@code thread/fork}'s generated params builder, as
         * {@link #startParams} (but not {@code threadId}, which is always the forked thread's).
         *
         * @param customizer what to set
         * @return this
         */
        public Builder forkParams(Consumer<ThreadForkParams.Builder> customizer) {
            this.forkParams = forkParams == null ? customizer : forkParams.andThen(customizer);
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException when two tools have the same name, or both an approval
         *     mode and an approval policy (or a sandbox preset and a sandbox mode) are set
         */
        public ThreadOptions build() {
            return new ThreadOptions(this);
        }
    }
}
