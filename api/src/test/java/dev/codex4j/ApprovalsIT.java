package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Approvals against the real Codex CLI: a read-only sandbox and a command that asks to escalate. */
class ApprovalsIT {
    private OfflineCodex offline;
    private final List<ApprovalRequest> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        offline = OfflineCodex.builder().approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY).start();
        offline.server().defaultReply(req -> req.isToolFollowUp()
                ? ModelReply.message("after the command")
                : ModelReply.execCommandEscalated("echo approved-run", "needs to leave the sandbox"));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private RunResult runWith(ApprovalHandler clientHandler, ApprovalHandler turnHandler) {
        try (Codex codex = Codex.builder().launch(offline.launch()).approvalHandler(clientHandler).build()) {
            return codex.startThread().run("run it", TurnOptions.builder().approvalHandler(turnHandler).build());
        }
    }

    private ApprovalHandler recording(Decision decision) {
        return request -> {
            seen.add(request);
            return decision;
        };
    }

    private JsonCommand commandItem(RunResult r) {
        var items = r.items(ThreadItem.CommandExecution.class);
        return items.isEmpty() ? null : new JsonCommand(items.getLast().status().value(),
                java.util.Objects.requireNonNullElse(items.getLast().aggregatedOutput(), ""));
    }

    record JsonCommand(String status, String output) {}

    @Test
    void acceptedCommandRuns() {
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.accept()));
        ApprovalRequest.Command c = assertInstanceOf(ApprovalRequest.Command.class, seen.getFirst());
        assertTrue(c.command().contains("echo approved-run"), c.command());
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertTrue(commandItem(r).output().contains("approved-run"), commandItem(r).toString());
    }

    @Test
    void defaultHandlerDeclinesAndTheTurnGoesOn() {
        RunResult r = runWith(ApprovalHandler.declineAll(), null);
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertEquals("declined", commandItem(r).status());
        assertEquals(java.util.Optional.of("after the command"), r.finalResponse());
    }

    @Test
    void clientHandlerIsUsedWithoutATurnOverride() {
        RunResult r = runWith(recording(Decision.decline()), null);
        assertEquals(1, seen.size());
        assertEquals("declined", commandItem(r).status());
    }

    @Test
    void cancelledApprovalInterruptsTheTurn() {
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.cancel()));
        assertEquals(TurnStatus.INTERRUPTED, r.status());
    }

    @Test
    void throwingHandlerFailsTheItemNotTheClient() {
        RunResult r = runWith(ApprovalHandler.declineAll(), request -> {
            throw new IllegalStateException("reviewer crashed");
        });
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertTrue(List.of("failed", "declined").contains(commandItem(r).status()), commandItem(r).toString());
    }

    @Test
    void fileChangeApprovalIsTypedAndAcceptedChangesAreApplied() throws Exception {
        offline.server().defaultReply(req -> req.isToolFollowUp()
                ? ModelReply.message("patched")
                : ModelReply.applyPatch("*** Begin Patch\n*** Add File: approved.txt\n+hello\n*** End Patch\n"));
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.accept()));
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertInstanceOf(ApprovalRequest.FileChange.class, seen.getFirst());
        assertTrue(java.nio.file.Files.exists(offline.workDir().resolve("approved.txt")), "the accepted patch was applied");
    }
}
