package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The approval inbox over the wire, against testkit's FakeAppServer. */
class ApprovalInboxTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Codex connect(FakeAppServer fake, ApprovalInbox inbox) {
        return Codex.builder().approvalInbox(inbox).streams(fake.clientInput(), fake.clientOutput()).build();
    }

    private static ObjectNode approval(FakeAppServer.Responder out) {
        ObjectNode p = AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                "rm -rf /", "dangerous");
        p.set("availableDecisions", dev.codex4j.protocol.ProtocolCodec.mapper().readTree("[\"accept\",\"cancel\"]"));
        return p;
    }

    /** A turn that asks one command approval and answers with the decision it got. */
    private static FakeAppServer.Script approvalThenAnswer() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode reply = out.serverRequest("item/commandExecution/requestApproval", approval(out), WAIT);
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.has("error")
                    ? "error " + reply.path("error").path("code").asInt() : reply.path("result").path("decision").asString()));
        });
    }

    @Test
    void anotherThreadResolvesTheApprovalAndTheTurnGoesOn() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            CodexThread thread = codex.startThread();
            CompletableFuture<RunResult> run = thread.runAsync("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            assertEquals(List.of(p), inbox.list());
            assertEquals(thread.id(), p.threadId());
            assertInstanceOf(ApprovalRequest.Command.class, p.request());
            assertTrue(p.deadline().isAfter(p.receivedAt()));
            CompletableFuture<Boolean> resolved = CompletableFuture.supplyAsync(() -> p.resolve(Decision.accept()));
            assertEquals("accept", run.join().finalResponse().orElseThrow());
            assertTrue(resolved.join());
            assertEquals(PendingApproval.State.RESOLVED, p.state());
            assertEquals(List.of(), inbox.list());
        }
    }

    @Test
    void aSecondResolveReturnsFalseAndChangesNothing() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            assertTrue(p.resolve(Decision.cancel()));
            assertFalse(p.resolve(Decision.accept()));
            assertEquals("cancel", run.join().finalResponse().orElseThrow());
            assertEquals(Optional.of(Decision.cancel()), p.decision());
        }
    }

    @Test
    void aDecisionTheRequestDoesNotTakeIsRejectedAndTheApprovalStaysPending() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.resolve(Decision.decline()));
            assertTrue(e.getMessage().contains("the server offered accept, cancel"), e.getMessage());
            assertEquals(PendingApproval.State.PENDING, p.state());
            p.resolve(Decision.accept());
            assertEquals("accept", run.join().finalResponse().orElseThrow());
        }
    }

    @Test
    void nobodyAnswersAndTheDeadlineRefuses() {
        ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMillis(300));
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            assertEquals("cancel", run.join().finalResponse().orElseThrow(), "refuse: the safest decision offered");
            assertEquals(PendingApproval.State.EXPIRED, p.state());
            assertEquals(Optional.of(Decision.refuse()), p.decision());
            assertFalse(p.resolve(Decision.accept()));
        }
    }

    @Test
    void serverRequestResolvedCancelsIt() {
        CountDownLatch listed = new CountDownLatch(1);
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.serverRequestNoWait("item/commandExecution/requestApproval", approval(out)));
            JsonNode id = dev.codex4j.protocol.ProtocolCodec.mapper().getNodeFactory()
                    .numberNode(Long.parseLong(out.var("serverRequestId")));
            try {
                listed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.send(AppServerMessages.serverRequestResolved(out.var("threadId"), id));
        });
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, inbox)) {
            codex.startThread().turn("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            listed.countDown();
            await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
            assertEquals(Optional.of("the server resolved the request (serverRequest/resolved)"), p.reason());
            assertFalse(p.resolve(Decision.accept()));
            assertEquals(List.of(), inbox.list());
        }
    }

    @Test
    void theEndOfItsTurnCancelsIt() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.serverRequestNoWait("item/commandExecution/requestApproval", approval(out)),
                    ScriptStep.delay(Duration.ofMillis(200)));
            out.send(AppServerMessages.turnCompleted(out.var("threadId"), out.var("turnId"), "interrupted"));
        });
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, inbox)) {
            TurnHandle turn = codex.startThread().turn("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            assertEquals(TurnStatus.INTERRUPTED, turn.run().status());
            await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
            assertEquals(Optional.of("its turn ended"), p.reason());
        }
    }

    @Test
    void closingTheClientCancelsIt() {
        ApprovalInbox inbox = ApprovalInbox.create();
        PendingApproval p;
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            codex.startThread().turn("q");
            p = inbox.poll(WAIT).orElseThrow();
        }
        await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
        assertEquals(Optional.of("the client closed"), p.reason());
        assertFalse(p.resolve(Decision.accept()));
    }

    @Test
    void aTurnsOwnHandlerStillTakesItsRequests() {
        ApprovalInbox inbox = ApprovalInbox.create();
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer()); Codex codex = connect(fake, inbox)) {
            RunResult r = codex.startThread().run("q", TurnOptions.builder().approvalHandler(x -> Decision.accept()).build());
            assertEquals("accept", r.finalResponse().orElseThrow());
            assertEquals(Optional.empty(), inbox.poll(Duration.ZERO));
        }
    }
}
