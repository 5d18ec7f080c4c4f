package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void theServerOffersAcceptAnAmendmentAndCancelAndTheTypedRequestSaysSo() {
        runWith(ApprovalHandler.declineAll(), recording(Decision.refuse()));
        ApprovalRequest.Command c = assertInstanceOf(ApprovalRequest.Command.class, seen.getFirst());
        List<String> prefix = c.params().proposedExecpolicyAmendment();
        assertEquals(List.of(Decision.accept(), Decision.acceptWithExecpolicyAmendment(prefix), Decision.cancel()),
                c.availableDecisions());
        assertTrue(c.params().startedAtMs() > 0);
    }

    @Test
    void theDefaultHandlerCancelsBecauseTheServerOffersNoDecline() {
        // 0.169.0 offers accept, acceptWithExecpolicyAmendment and cancel: the safest offered is cancel.
        RunResult r = runWith(ApprovalHandler.declineAll(), null);
        assertEquals(TurnStatus.INTERRUPTED, r.status());
        assertNotEquals(java.util.Optional.of("after the command"), r.finalResponse(), "the model was not asked again");
    }

    @Test
    void aDeclineTheServerDidNotOfferIsNotSentTheTurnIsCancelled() {
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.decline()));
        assertEquals(1, seen.size());
        assertEquals(TurnStatus.INTERRUPTED, r.status());
    }

    @Test
    void clientHandlerIsUsedWithoutATurnOverride() {
        RunResult r = runWith(recording(Decision.accept()), null);
        assertEquals(1, seen.size());
        assertEquals("completed", commandItem(r).status());
    }

    @Test
    void cancelledApprovalInterruptsTheTurn() {
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.cancel()));
        assertEquals(TurnStatus.INTERRUPTED, r.status());
    }

    @Test
    void theOfferedExecpolicyAmendmentRunsTheCommand() {
        RunResult r = runWith(ApprovalHandler.declineAll(), request -> {
            seen.add(request);
            return request.availableDecisions().stream()
                    .filter(d -> d instanceof Decision.AcceptWithExecpolicyAmendment).findFirst().orElseThrow();
        });
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertTrue(commandItem(r).output().contains("approved-run"), commandItem(r).toString());
    }

    @Test
    void throwingHandlerIsRefusedAsTheDefaultWouldBe() {
        RunResult r = runWith(ApprovalHandler.declineAll(), request -> {
            throw new IllegalStateException("reviewer crashed");
        });
        assertEquals(TurnStatus.INTERRUPTED, r.status());
    }

    @Test
    void aPermissionsRequestIsTypedAndCancelEndsTheTurn() {
        offline.close();
        offline = OfflineCodex.builder().approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY).config("features.request_permissions_tool", "true").start();
        offline.server().defaultReply(req -> req.isToolFollowUp()
                ? ModelReply.message("after the permissions")
                : ModelReply.functionCall("request_permissions",
                        "{\"reason\":\"needs the network\",\"permissions\":{\"network\":{\"enabled\":true}}}"));
        RunResult r = runWith(ApprovalHandler.declineAll(), recording(Decision.cancel()));
        ApprovalRequest.Permissions p = assertInstanceOf(ApprovalRequest.Permissions.class, seen.getFirst());
        assertEquals(Boolean.TRUE, p.params().permissions().network().enabled());
        assertEquals(TurnStatus.INTERRUPTED, r.status());
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
