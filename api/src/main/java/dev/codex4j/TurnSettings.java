package dev.codex4j;

import dev.codex4j.internal.sdk.SettingsFields;
import dev.codex4j.protocol.types.ApprovalsReviewer;
import dev.codex4j.protocol.types.ReasoningSummary;
import dev.codex4j.protocol.types.TurnSettingsUpdateParams;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * New settings for the rest of one running turn ({@code turn/settings/update}, an experimental
 * method: the client needs {@link CodexBuilder#experimentalApi(boolean) experimentalApi(true)}):
 * the model, reasoning effort and summary, and the reviewer of its approvals. Later turns are
 * unchanged (see {@link ThreadSettings}); steps the turn already took keep theirs. Codex 0.171.0
 * takes no approval policy or sandbox for a running turn: change those for the next turns with
 * {@link CodexThread#updateSettings(ThreadSettings)}.
 *
 * <pre>{@code
 * TurnHandle turn = thread.turn("Plan the migration");
 * boolean applied = turn.updateSettings(TurnSettings.builder().effort("high").build());
 * }</pre>
 */
public final class TurnSettings {
    private final SettingsFields fields;
    private final @Nullable Consumer<TurnSettingsUpdateParams.Builder> params;

    private TurnSettings(Builder b) {
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

    /** @return who reviews the turn's later approval requests, or null to keep it */
    public @Nullable ApprovalsReviewer approvalsReviewer() {
        return fields.approvalsReviewer();
    }

    /** {@code turn/settings/update}'s params (it takes no approval policy and no sandbox: the builder sets none). */
    TurnSettingsUpdateParams params(String threadId, String turnId) {
        TurnSettingsUpdateParams.Builder p = TurnSettingsUpdateParams.builder();
        fields.applyTo(p::model, p::effort, p::summary, null, p::approvalsReviewer, null);
        if (params != null) {
            params.accept(p);
        }
        return p.threadId(threadId).turnId(turnId).build();
    }

    @Override
    public String toString() {
        StringBuilder b = fields.appendTo(new StringBuilder("TurnSettings["));
        SettingsFields.field(b, "params", params == null ? null : "(customized)");
        return b.append(']').toString();
    }

    /** Builds {@link TurnSettings}. */
    public static final class Builder {
        private SettingsFields fields = SettingsFields.NONE;
        private @Nullable Consumer<TurnSettingsUpdateParams.Builder> params;

        private Builder() {}

        /** @return this, with the model for the rest of the turn */
        public Builder model(@Nullable String model) {
            fields = fields.withModel(model);
            return this;
        }

        /** @return this, with the reasoning effort for the rest of the turn */
        public Builder effort(@Nullable String effort) {
            fields = fields.withEffort(effort);
            return this;
        }

        /** @return this, with the reasoning summary mode for the rest of the turn */
        public Builder summary(@Nullable ReasoningSummary summary) {
            fields = fields.withSummary(summary);
            return this;
        }

        /**
         * @param mode {@link ApprovalMode#AUTO_REVIEW} routes the turn's later approval requests to
         *     the server's reviewer, the others back to the client; the policy itself cannot change
         *     mid-turn
         * @return this
         */
        public Builder approvalMode(@Nullable ApprovalMode mode) {
            fields = fields.withApprovalsReviewer(mode == null ? null : mode.approvalsReviewer());
            return this;
        }

        /** @return this, with the reviewer of the turn's later approval requests */
        public Builder approvalsReviewer(@Nullable ApprovalsReviewer reviewer) {
            fields = fields.withApprovalsReviewer(reviewer);
            return this;
        }

        /**
         * Sets anything else on {@code turn/settings/update}'s generated params builder (runs last;
         * not {@code threadId} and {@code turnId}). Calls add up.
         *
         * @param customizer what to set
         * @return this
         */
        public Builder params(Consumer<TurnSettingsUpdateParams.Builder> customizer) {
            this.params = params == null ? customizer : params.andThen(customizer);
            return this;
        }

        /** @return the settings */
        public TurnSettings build() {
            return new TurnSettings(this);
        }
    }
}
