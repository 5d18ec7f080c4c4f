package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The approval inbox against the real Codex CLI: a read-only sandbox and a command that asks to escalate. */
class ApprovalInboxIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private OfflineCodex offline;

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

    private Codex client(ApprovalInbox inbox) {
        return Codex.builder().launch(offline.launch()).approvalInbox(inbox).build();
    }

    @Test
    void anApprovalResolvedFromAnotherThreadRunsTheCommand() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (Codex codex = client(inbox)) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("run it");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            ApprovalRequest.Command c = assertInstanceOf(ApprovalRequest.Command.class, p.request());
            assertTrue(c.command().contains("echo approved-run"), c.command());
            assertTrue(CompletableFuture.supplyAsync(() -> p.resolve(Decision.accept())).join());
            RunResult r = run.join();
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertTrue(r.items(ThreadItem.CommandExecution.class).getLast().aggregatedOutput().contains("approved-run"));
        }
    }

    @Test
    void atItsDeadlineTheApprovalIsRefused() {
        ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMillis(500));
        try (Codex codex = client(inbox)) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("run it");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            // 0.169.0 offers no decline: the refusal is cancel, which ends the turn interrupted
            assertEquals(TurnStatus.INTERRUPTED, run.join().status());
            assertEquals(PendingApproval.State.EXPIRED, p.state());
        }
    }

    @Test
    void interruptingTheTurnCancelsItsApproval() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (Codex codex = client(inbox)) {
            TurnHandle turn = codex.startThread().turn("run it");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            turn.interrupt();
            assertEquals(TurnStatus.INTERRUPTED, turn.run().status());
            await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
            assertFalse(p.resolve(Decision.accept()));
            // the real server says serverRequest/resolved, and the turn ends: whichever comes first
            assertTrue(p.reason().orElseThrow().contains("serverRequest/resolved")
                    || p.reason().equals(Optional.of("its turn ended")), p.reason().toString());
        }
    }

    @Test
    void closingTheClientCancelsItsApprovals() {
        ApprovalInbox inbox = ApprovalInbox.create();
        PendingApproval p;
        try (Codex codex = client(inbox)) {
            codex.startThread().turn("run it");
            p = inbox.poll(WAIT).orElseThrow();
        }
        await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
        assertEquals(Optional.of("the client closed"), p.reason());
        assertEquals(java.util.List.of(), inbox.list());
    }
}
