package dev.codex4j;

import dev.codex4j.protocol.types.ApprovalsReviewer;
import dev.codex4j.protocol.types.AskForApproval;

/**
 * Who approves what the agent asks to do beyond its sandbox: a preset for a thread
 * ({@link ThreadOptions.Builder#approvalMode}), a turn ({@link TurnOptions.Builder#approvalMode})
 * or a running thread ({@link ThreadSettings.Builder#approvalMode}). Each mode is sent as the
 * protocol's {@code approvalPolicy} and {@code approvalsReviewer}; {@link #ACCEPT_ALL} also
 * answers the turn's approvals itself.
 *
 * <p>Without a mode, nothing is sent: the server's configuration says when to ask, and the
 * client's {@link ApprovalHandler} answers ({@link ApprovalHandler#declineAll()} by default, so
 * refusing everything stays the default).
 *
 * <pre>{@code
 * CodexThread t = codex.startThread(ThreadOptions.builder()
 *         .approvalMode(ApprovalMode.AUTO_REVIEW)                 // the server's reviewer decides
 *         .sandboxPreset(SandboxPreset.workspaceWrite())
 *         .build());
 * }</pre>
 */
public enum ApprovalMode {
    /**
     * Refuse everything: {@code approvalPolicy: "never"}, {@code approvalsReviewer: "user"}. The
     * server never asks; what the sandbox does not allow fails, and the model is told. The
     * handler is not asked about commands, file changes or permissions (it still answers user
     * input and tool calls, which are not approvals).
     */
    DENY_ALL(AskForApproval.NEVER, ApprovalsReviewer.USER),

    /**
     * The server's own reviewer decides: {@code approvalPolicy: "on-request"},
     * {@code approvalsReviewer: "auto_review"}. A sub-agent of the server weighs each request
     * (risk level, the user's authorization) and approves or denies it; the turn reports each
     * review as {@link TurnEvent.AutoReviewStarted} and {@link TurnEvent.AutoReviewCompleted}. The
     * handler is not asked about what the reviewer decides.
     */
    AUTO_REVIEW(AskForApproval.ON_REQUEST, ApprovalsReviewer.AUTO_REVIEW),

    /**
     * Accept everything, <strong>dangerous</strong>: only for throwaway sandboxes.
     * {@code approvalPolicy: "on-request"}, {@code approvalsReviewer: "user"}, and the turn's
     * requests are answered by {@link ApprovalHandler#acceptAll()} instead of the client's handler
     * (a turn's own {@link TurnOptions.Builder#approvalHandler} still wins).
     */
    ACCEPT_ALL(AskForApproval.ON_REQUEST, ApprovalsReviewer.USER);

    private final AskForApproval approvalPolicy;
    private final ApprovalsReviewer approvalsReviewer;

    ApprovalMode(AskForApproval approvalPolicy, ApprovalsReviewer approvalsReviewer) {
        this.approvalPolicy = approvalPolicy;
        this.approvalsReviewer = approvalsReviewer;
    }

    /** @return the {@code approvalPolicy} this mode sends */
    public AskForApproval approvalPolicy() {
        return approvalPolicy;
    }

    /** @return the {@code approvalsReviewer} this mode sends */
    public ApprovalsReviewer approvalsReviewer() {
        return approvalsReviewer;
    }
}
