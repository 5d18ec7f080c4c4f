package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.RequestTimeoutException;
import dev.codex4j.protocol.ServerOverloadedException;
import dev.codex4j.protocol.TransportClosedException;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The public API against testkit's scripted fake app-server: the edge cases a real model cannot be made to hit. */
class FakeServerTest {

    private static Codex connect(FakeAppServer fake, Codex.Builder b) {
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
            assertInstanceOf(CodexMetadata.class, codex.metadata());
        }
    }
}
