package dev.codex4j;

import dev.codex4j.internal.sdk.SettingsFields;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.ReasoningSummary;
import dev.codex4j.protocol.types.SandboxPolicy;
import dev.codex4j.protocol.types.ThreadSettingsUpdateParams;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * New settings for the later turns of a running thread ({@code thread/settings/update}, an
 * experimental method: the client needs {@link CodexBuilder#experimentalApi(boolean)
 * experimentalApi(true)}): model, reasoning effort, approvals and sandbox. Absent values are not
 * sent and stay as they are; a running turn keeps its settings (change those with
 * {@link TurnHandle#updateSettings(TurnSettings)}). Anything else the method takes is set on the
 * generated params builder with {@link Builder#params}.
 *
 * <pre>{@code
 * thread.updateSettings(ThreadSettings.builder()
 *         .model("gpt-5.5").effort("high")
 *         .approvalMode(ApprovalMode.AUTO_REVIEW)
 *         .sandboxPreset(SandboxPreset.readOnly())
 *         .build());
 * }</pre>
 */
public final class ThreadSettings {
    private final SettingsFields fields;
    private final @Nullable Consumer<ThreadSettingsUpdateParams.Builder> params;

    private ThreadSettings(Builder b) {
        this.fields = b.fields.checked();
        this.params = b.params;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the model, or null to keep it */
    public @Nullable String model() {
        return fields.model();
    }

    /** @return the reasoning effort, or null to keep it */
    public @Nullable String effort() {
        return fields.effort();
    }

    /** @return the reasoning summary mode, or null to keep it */
    public @Nullable ReasoningSummary summary() {
        return fields.summary();
    }

    /** @return the approval preset, or null */
    public @Nullable ApprovalMode approvalMode() {
        return fields.approvalMode();
    }

    /** @return the approval policy, or null */
    public @Nullable AskForApproval approvalPolicy() {
        return fields.approvalPolicy();
    }

    /** @return the sandbox policy, or null to keep it */
    public @Nullable SandboxPolicy sandboxPolicy() {
        return fields.sandboxPolicy();
    }

    /** {@code thread/settings/update}'s params. */
    ThreadSettingsUpdateParams params(String threadId) {
        ThreadSettingsUpdateParams.Builder p = ThreadSettingsUpdateParams.builder();
        fields.applyTo(p::model, p::effort, p::summary, p::approvalPolicy, p::approvalsReviewer, p::sandboxPolicy);
        if (params != null) {
            params.accept(p);
        }
        return p.threadId(threadId).build();
    }

    @Override
    public String toString() {
        StringBuilder b = fields.appendTo(new StringBuilder("ThreadSettings["));
        SettingsFields.field(b, "params", params == null ? null : "(customized)");
        return b.append(']').toString();
    }

    /** Builds {@link ThreadSettings}. */
    public static final class Builder {
        private SettingsFields fields = SettingsFields.NONE;
        private @Nullable Consumer<ThreadSettingsUpdateParams.Builder> params;

        private Builder() {}

        /** @return this, with the model for later turns */
        public Builder model(@Nullable String model) {
            fields = fields.withModel(model);
            return this;
        }

        /** @return this, with the reasoning effort for later turns ({@code low}, {@code medium}, {@code high}...) */
        public Builder effort(@Nullable String effort) {
            fields = fields.withEffort(effort);
            return this;
        }

        /** @return this, with the reasoning summary mode for later turns */
        public Builder summary(@Nullable ReasoningSummary summary) {
            fields = fields.withSummary(summary);
            return this;
        }

        /**
         * Who approves later turns' requests (see {@link ApprovalMode}); cannot be combined with
         * {@link #approvalPolicy}. {@link ApprovalMode#ACCEPT_ALL} here only sends its policy and
         * reviewer: give the turns {@code TurnOptions.builder().approvalMode(ApprovalMode.ACCEPT_ALL)}
         * (or a handler) for the SDK to accept their requests.
         *
         * @param mode the mode, or null to keep the current one
         * @return this
         */
        public Builder approvalMode(@Nullable ApprovalMode mode) {
            fields = fields.withApprovalMode(mode);
            return this;
        }

        /** @return this, with the approval policy for later turns */
        public Builder approvalPolicy(@Nullable AskForApproval policy) {
            fields = fields.withApprovalPolicy(policy);
            return this;
        }

        /** @return this, with the sandbox for later turns as a preset (see {@link SandboxPreset}) */
        public Builder sandboxPreset(@Nullable SandboxPreset preset) {
            fields = fields.withSandboxPolicy(preset == null ? null : preset.policy());
            return this;
        }

        /** @return this, with the sandbox policy for later turns */
        public Builder sandboxPolicy(@Nullable SandboxPolicy policy) {
            fields = fields.withSandboxPolicy(policy);
            return this;
        }

        /**
         * Sets anything else on {@code thread/settings/update}'s generated params builder (runs
         * last, so it can override the above; not {@code threadId}). Calls add up.
         *
         * @param customizer for example {@code p -> p.serviceTier("flex")}
         * @return this
         */
        public Builder params(Consumer<ThreadSettingsUpdateParams.Builder> customizer) {
            this.params = params == null ? customizer : params.andThen(customizer);
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException when both an approval mode and an approval policy are set
         */
        public ThreadSettings build() {
            return new ThreadSettings(this);
        }
    }
}
