package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalMode;
import dev.codex4j.protocol.types.ApprovalsReviewer;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.ReasoningSummary;
import dev.codex4j.protocol.types.SandboxPolicy;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The model and approval settings that {@code ThreadSettings}, {@code TurnSettings} and
 * {@code TurnOptions} share: one immutable value each of them holds (their builders hold one too,
 * replaced at each setter), with the one "approval mode or approval policy" check, the one
 * {@code toString} of these fields and the one mapping to the generated params builders
 * ({@code thread/settings/update}, {@code turn/settings/update}, {@code turn/start}).
 *
 * <p>An absent value (null) is not sent: the server keeps what it has. An {@link ApprovalMode} is
 * sent as its {@code approvalPolicy} and {@code approvalsReviewer}; {@code approvalsReviewer} alone
 * is what {@code turn/settings/update} takes (a running turn's policy cannot change).
 *
 * @param model the model
 * @param effort the reasoning effort ({@code low}, {@code medium}, {@code high}...)
 * @param summary the reasoning summary mode
 * @param approvalMode the approval preset (sends a policy and a reviewer); never with {@code approvalPolicy}
 * @param approvalPolicy the approval policy
 * @param approvalsReviewer the reviewer of approval requests, when no {@code approvalMode} says it
 * @param sandboxPolicy the sandbox policy
 */
public record SettingsFields(@Nullable String model, @Nullable String effort, @Nullable ReasoningSummary summary,
        @Nullable ApprovalMode approvalMode, @Nullable AskForApproval approvalPolicy,
        @Nullable ApprovalsReviewer approvalsReviewer, @Nullable SandboxPolicy sandboxPolicy) {

    /** Nothing set. */
    public static final SettingsFields NONE = new SettingsFields(null, null, null, null, null, null, null);

    /** @return these, with the model */
    public SettingsFields withModel(@Nullable String m) {
        return new SettingsFields(m, effort, summary, approvalMode, approvalPolicy, approvalsReviewer, sandboxPolicy);
    }

    /** @return these, with the effort */
    public SettingsFields withEffort(@Nullable String e) {
        return new SettingsFields(model, e, summary, approvalMode, approvalPolicy, approvalsReviewer, sandboxPolicy);
    }

    /** @return these, with the summary mode */
    public SettingsFields withSummary(@Nullable ReasoningSummary s) {
        return new SettingsFields(model, effort, s, approvalMode, approvalPolicy, approvalsReviewer, sandboxPolicy);
    }

    /** @return these, with the approval mode */
    public SettingsFields withApprovalMode(@Nullable ApprovalMode m) {
        return new SettingsFields(model, effort, summary, m, approvalPolicy, approvalsReviewer, sandboxPolicy);
    }

    /** @return these, with the approval policy */
    public SettingsFields withApprovalPolicy(@Nullable AskForApproval p) {
        return new SettingsFields(model, effort, summary, approvalMode, p, approvalsReviewer, sandboxPolicy);
    }

    /** @return these, with the reviewer */
    public SettingsFields withApprovalsReviewer(@Nullable ApprovalsReviewer r) {
        return new SettingsFields(model, effort, summary, approvalMode, approvalPolicy, r, sandboxPolicy);
    }

    /** @return these, with the sandbox policy */
    public SettingsFields withSandboxPolicy(@Nullable SandboxPolicy p) {
        return new SettingsFields(model, effort, summary, approvalMode, approvalPolicy, approvalsReviewer, p);
    }

    /**
     * The check every builder's {@code build()} makes.
     *
     * @return these
     * @throws IllegalArgumentException when both an approval mode and an approval policy are set
     */
    public SettingsFields checked() {
        if (approvalMode != null && approvalPolicy != null) {
            throw new IllegalArgumentException("Both an approval mode (" + approvalMode + ") and an approval policy ("
                    + approvalPolicy + ") are set: the mode sends the policy, set one of them");
        }
        return this;
    }

    /** @return the policy to send: the mode's, else the policy's */
    public @Nullable AskForApproval sentApprovalPolicy() {
        return approvalMode != null ? approvalMode.approvalPolicy() : approvalPolicy;
    }

    /** @return the reviewer to send: the mode's, else the reviewer's */
    public @Nullable ApprovalsReviewer sentApprovalsReviewer() {
        return approvalMode != null ? approvalMode.approvalsReviewer() : approvalsReviewer;
    }

    /**
     * Sets the present values on a generated params builder, by its setters (the three builders
     * have no common type).
     *
     * @param policySetter the builder's {@code approvalPolicy}, or null when the method takes none
     * @param sandboxSetter the builder's {@code sandboxPolicy}, or null when the method takes none
     * @throws IllegalStateException when a value is set that the method takes no setter for (a
     *     public type's builder lets no such value through)
     */
    public void applyTo(Consumer<String> modelSetter, Consumer<String> effortSetter,
            Consumer<ReasoningSummary> summarySetter, @Nullable Consumer<AskForApproval> policySetter,
            Consumer<ApprovalsReviewer> reviewerSetter, @Nullable Consumer<SandboxPolicy> sandboxSetter) {
        set(model, modelSetter);
        set(effort, effortSetter);
        set(summary, summarySetter);
        set(sentApprovalPolicy(), required(policySetter, sentApprovalPolicy(), "an approval policy"));
        set(sentApprovalsReviewer(), reviewerSetter);
        set(sandboxPolicy, required(sandboxSetter, sandboxPolicy, "a sandbox policy"));
    }

    private static <T> Consumer<T> required(@Nullable Consumer<T> setter, @Nullable T value, String what) {
        if (setter != null) {
            return setter;
        }
        if (value != null) {
            throw new IllegalStateException("This method takes no " + what + ": " + value);
        }
        return v -> {};
    }

    /**
     * Appends the present values as {@code name=value}, in one order: model, effort, summary,
     * approvalMode, approvalPolicy, approvalsReviewer, sandboxPolicy.
     *
     * @param b a {@code toString} under way, ending with {@code [} or a value
     * @return {@code b}
     */
    public StringBuilder appendTo(StringBuilder b) {
        field(b, "model", model);
        field(b, "effort", effort);
        field(b, "summary", summary);
        field(b, "approvalMode", approvalMode);
        field(b, "approvalPolicy", approvalPolicy);
        field(b, "approvalsReviewer", approvalsReviewer);
        field(b, "sandboxPolicy", sandboxPolicy);
        return b;
    }

    /**
     * Sets a member only when there is a value: a null would be sent as JSON null.
     *
     * @param value the value, or null
     * @param setter the builder's setter
     */
    public static <T> void set(@Nullable T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /**
     * Appends {@code name=value} to a {@code toString} under way, when there is a value.
     *
     * @param b ends with {@code [} (the first field) or a value
     * @param name the field's name
     * @param value its value, or null to append nothing
     */
    public static void field(StringBuilder b, String name, @Nullable Object value) {
        if (value != null) {
            b.append(b.charAt(b.length() - 1) == '[' ? "" : ", ").append(name).append('=').append(value);
        }
    }
}
