package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.ServerOverloadedException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The public API against testkit's scripted fake app-server: the edge cases a real model cannot be made to hit. */
class FakeServerTest {

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    @Test
    void earlyTurnCompletedIsDelivered() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            String thread = out.var("threadId");
            String turn = out.var("turnId");
            AppServerMessages.simpleTurn(thread, turn, "q", "done early").forEach(out::send);
            out.respond(AppServerMessages.turnStartResult(turn));  // the reply comes last
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            RunResult r = codex.startThread().run("q");
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertEquals(Optional.of("done early"), r.finalResponse());
        }
    }

    @Test
    void unknownServerRequestsGetAnErrorReplyNeverAnEmptyResult() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            String turn = out.var("turnId");
            out.respond(AppServerMessages.turnStartResult(turn));
            JsonNode reply = out.serverRequest("brand/newRequest",
                    dev.codex4j.protocol.ProtocolCodec.objectOf(java.util.Map.of("threadId", out.var("threadId"),
                            "turnId", turn)), Duration.ofSeconds(10));
            String answer = reply != null && reply.has("error") ? "error " + reply.path("error").path("code").asInt()
                    : "unexpected " + reply;
            out.run(ScriptStep.simpleTurn(answer));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            RunResult r = codex.startThread().run("q");
            assertTrue(r.finalResponse().orElseThrow().startsWith("error -32"), r.finalResponse().orElseThrow());
        }
    }

    @Test
    void overloadedRequestsAreRetriedThenSucceed() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", 2, ScriptStep.overloaded());
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().overloadRetry(5, Duration.ofMillis(5), Duration.ofMillis(20)))) {
            codex.startThread();
            assertEquals(3, fake.requests("thread/start").size());
        }
    }

    @Test
    void overloadThatNeverEndsSurfacesAsServerOverloadedException() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", 100, ScriptStep.overloaded());
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().overloadRetry(2, Duration.ofMillis(5), Duration.ofMillis(10)))) {
            assertThrows(ServerOverloadedException.class, codex::startThread);
        }
    }

    @Test
    void anUnansweredRequestTimesOut() {
        FakeAppServer.Script script = FakeAppServer.script().neverAnswer("thread/start");
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().requestTimeout(Duration.ofMillis(300)))) {
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class, codex::startThread);
            assertEquals("thread/start", e.method());
        }
    }

    @Test
    void aServerThatDiesMidTurnFailsTheTurnWithItsExitCode() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.stderr("fatal: boom"),
                ScriptStep.exit(3));
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(proc.launch()).build()) {
            CodexThread thread = codex.startThread();
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> thread.run("q"));
            assertEquals(3, e.exitCode().orElse(-1));
            assertTrue(e.stderrTail().contains("fatal: boom"), e.stderrTail());
        }
    }

    @Test
    void aChildProcessFakeRunsATurnOverRealStdio() {
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(FakeAppServer.script().defaultAnswer("from the child"));
                Codex codex = Codex.builder().launch(proc.launch()).build()) {
            assertEquals(Optional.of("from the child"), codex.startThread().run("q").finalResponse());
            assertTrue(codex.metadata().userAgent().contains("FakeAppServer"), codex.metadata().userAgent());
        }
    }

    @Test
    void twoThreadObjectsForOneIdCannotBypassTheRunningTurnsApprovalHandler() {
        // The approval arrives after the second object's turn() attempt, as in the reported bypass.
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.delay(Duration.ofMillis(300)));
            JsonNode reply = out.serverRequest("item/commandExecution/requestApproval",
                    AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                            "rm -rf /", "dangerous"), Duration.ofSeconds(10));
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.path("result").path("decision").asString()));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().approvalHandler(ApprovalHandler.acceptAll()))) {
            String id = codex.startThread().id();
            CodexThread a = codex.resumeThread(id);
            CodexThread b = codex.resumeThread(id);
            TurnHandle turn = a.turn("q", TurnOptions.builder().approvalHandler(r -> Decision.decline()).build());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.turn("would be a steer"));
            assertTrue(e.getMessage().contains("already has a running turn"), e.getMessage());
            assertEquals(Optional.of("decline"), turn.run().finalResponse());
            assertEquals(1, fake.requests("turn/start").size(), "the refused turn sent nothing");
        }
    }

    @Test
    void aTurnStartedWhileHeldMessagesFillTheBudgetLosesNothing() {
        // 240,000 deltas of 40 turns nobody claims pass the held-bytes budget (64 MiB), so the
        // bound acts; then a turn whose every message beats its turn/start reply must still
        // arrive whole.
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("thread/start", ScriptStep.respond(AppServerMessages.threadStartResult("${threadId}", "/w")),
                        ScriptStep.burst(40, 1, 6_000))
                .onRequest("turn/start", (req, out) -> {
                    AppServerMessages.simpleTurn(out.var("threadId"), out.var("turnId"), "q", "whole").forEach(out::send);
                    out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            await().atMost(Duration.ofSeconds(30)).until(() -> codex.session().connection().stats().turnsDiscarded() > 0
                    && codex.session().connection().stats().lines() >= 240_000);
            RunResult r = thread.run("q");
            assertEquals(Optional.of("whole"), r.finalResponse());
            assertEquals(List.of(ThreadItem.UserMessage.class, ThreadItem.AgentMessage.class),
                    r.items().stream().map(Object::getClass).toList());
        }
    }

    @Test
    void concurrentTurnCallsOnOneThreadIdStartExactlyOneTurn() throws Exception {
        // Two CodexThread objects for one id, eight callers racing: one turn/start, seven refusals.
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.delay(Duration.ofMillis(200)), ScriptStep.simpleTurn("the one"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            String id = codex.startThread().id();
            List<CodexThread> objects = List.of(codex.resumeThread(id), codex.resumeThread(id));
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
            List<java.util.concurrent.Future<TurnHandle>> calls = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 8; i++) {
                    CodexThread t = objects.get(i % 2);
                    calls.add(pool.submit(() -> {
                        start.await();
                        return t.turn("q");
                    }));
                }
            }
            List<TurnHandle> started = new java.util.ArrayList<>();
            int refused = 0;
            for (var f : calls) {
                try {
                    started.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    IllegalStateException ise = assertInstanceOf(IllegalStateException.class, e.getCause());
                    assertTrue(ise.getMessage().contains("already has a running turn"), ise.getMessage());
                    refused++;
                }
            }
            assertEquals(1, started.size(), "exactly one turn() wins");
            assertEquals(7, refused);
            assertEquals(1, fake.requests("turn/start").size(), "the refused calls sent nothing");
            assertEquals(Optional.of("the one"), started.getFirst().run().finalResponse());
            assertEquals(Optional.of("the one"), objects.get(1).run("next").finalResponse(), "the thread takes the next turn");
        }
    }

    @Test
    void anApprovalBeforeTheTurnStartReplyReachesTheTurnsHandler() {
        // The server asks before it has answered turn/start: the turn's handler must answer, not the client's.
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            JsonNode reply = out.serverRequest("item/commandExecution/requestApproval",
                    AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                            "rm -rf /", "dangerous"), Duration.ofSeconds(10));
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.path("result").path("decision").asString()));
        });
        java.util.List<ApprovalRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().approvalHandler(ApprovalHandler.acceptAll()))) {
            RunResult r = codex.startThread().run("q", TurnOptions.builder().approvalHandler(request -> {
                asked.add(request);
                return Decision.decline();
            }).build());
            assertEquals(Optional.of("decline"), r.finalResponse());
            assertEquals(1, asked.size());
        }
    }
}
