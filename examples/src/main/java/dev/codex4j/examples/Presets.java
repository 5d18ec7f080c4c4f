package dev.codex4j.examples;

import dev.codex4j.ApprovalMode;
import dev.codex4j.RunResult;
import dev.codex4j.SandboxPreset;
import dev.codex4j.ThreadOptions;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.TurnOptions;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;

/**
 * Approval and sandbox presets: a thread whose approvals the server's own reviewer decides (its
 * reviews arrive as typed events), then a turn that refuses everything.
 */
public final class Presets {
    private Presets() {}

    /** @param args none */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(
                model -> model.defaultReply(request -> request.rawBody().contains("You are judging one planned coding-agent action")
                        ? ModelReply.message("{\"risk_level\":\"low\",\"user_authorization\":\"high\",\"outcome\":\"allow\","
                                + "\"rationale\":\"echo is harmless\"}")      // the mock model plays the reviewer too
                        : request.isToolFollowUp() ? ModelReply.message("The command ran.")
                        : ModelReply.execCommandEscalated("echo hello", "needs to leave the sandbox")),
                fixture -> fixture.approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY),
                b -> b)) {
            var thread = session.codex().startThread(ThreadOptions.builder()
                    .approvalMode(ApprovalMode.AUTO_REVIEW)                       // the server's reviewer decides
                    .sandboxPreset(SandboxPreset.workspaceWrite().withNetwork(false))
                    .build());
            try (TurnEventStream events = thread.turn("Say hello from a shell").events()) {
                for (TurnEvent e : events) {
                    switch (e) {
                        case TurnEvent.AutoReviewStarted s -> System.out.println("[auto-review] weighing: "
                                + s.review().action());
                        case TurnEvent.AutoReviewCompleted c -> System.out.println("[auto-review] "
                                + c.review().review().status() + " (risk " + c.review().review().riskLevel() + "): "
                                + c.review().review().rationale());
                        case TurnEvent.Completed c -> System.out.println(c.result().finalResponse().orElse("(no answer)"));
                        default -> { }
                    }
                }
            }
            RunResult refused = thread.run("Try again", TurnOptions.builder().approvalMode(ApprovalMode.DENY_ALL).build());
            System.out.println("[deny all] " + refused.status() + ": " + refused.finalResponse().orElse("(no answer)"));
        }
    }
}
