package dev.codex4j.testkit;

import static dev.codex4j.testkit.ScriptStep.commandApproval;
import static dev.codex4j.testkit.ScriptStep.exit;
import static dev.codex4j.testkit.ScriptStep.largeLine;
import static dev.codex4j.testkit.ScriptStep.overloaded;
import static dev.codex4j.testkit.ScriptStep.raw;
import static dev.codex4j.testkit.ScriptStep.respond;
import static dev.codex4j.testkit.ScriptStep.simpleTurn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FakeAppServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static String method(JsonNode m) {
        return m.path("method").asString("");
    }

    private static int indexOf(List<JsonNode> messages, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < messages.size(); i++) {
            if (p.test(messages.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void handshakeIsAnsweredLikeTheRealServer() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            JsonNode early = rpc.call("thread/start", Json.object(), WAIT);
            assertEquals(-32600, early.path("error").path("code").asInt());
            assertEquals("Not initialized", early.path("error").path("message").asString());

            JsonNode result = rpc.initialize();
            assertTrue(result.path("userAgent").asString().startsWith("codex4j-testkit-it/"
                    + dev.codex4j.protocol.CodexCli.pinnedVersion() + " "));
            assertEquals("unix", result.path("platformFamily").asString());
            rpc.await(m -> method(m).equals("remoteControl/status/changed"), WAIT);
            JsonNode again = rpc.call("initialize", Json.object(), WAIT);
            assertEquals("Already initialized", again.path("error").path("message").asString());
            fake.awaitReceived(m -> method(m).equals("initialized"), WAIT);
        }
    }

    @Test
    void defaultTurnStreamsACompleteSimpleTurn() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("Hello there friend"));
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            String thread = rpc.startThread();
            String turn = rpc.startTurn(thread, "hi");
            JsonNode done = rpc.awaitTurnCompleted(turn, WAIT);

            assertEquals("completed", done.path("turn").path("status").asString());
            assertEquals(thread, done.path("threadId").asString());
            String text = rpc.notifications("item/agentMessage/delta").stream()
                    .map(m -> m.path("params").path("delta").asString()).collect(Collectors.joining());
            assertEquals("Hello there friend", text);
            assertTrue(rpc.notifications("turn/started").get(0).has("emittedAtMs"));
            assertEquals("hi", fake.requests("turn/start").get(0).path("params").path("input").get(0)
                    .path("text").asString());
        }
    }

    @Test
    void turnCompletedCanArriveBeforeTheTurnStartResponse() {
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("turn/start", simpleTurn("early"), respond(AppServerMessages.turnStartResult("${turnId}")));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "go");
            List<JsonNode> all = rpc.messages();
            int completed = indexOf(all, m -> method(m).equals("turn/completed"));
            int response = indexOf(all, m -> m.has("result") && m.path("result").has("turn"));
            assertTrue(completed >= 0 && completed < response, "turn/completed " + completed + " response " + response);
            assertEquals(turn, all.get(completed).path("params").path("turn").path("id").asString());
        }
    }

    @Test
    void overloadRepliesComeFirstThenSuccess() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", 2, overloaded());
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            assertEquals(-32001, rpc.call("thread/start", Json.object(), WAIT).path("error").path("code").asInt());
            assertEquals(-32001, rpc.call("thread/start", Json.object(), WAIT).path("error").path("code").asInt());
            assertFalse(rpc.startThread().isEmpty());
        }
    }

    @Test
    void garbageAndHugeLinesReachTheClient() {
        FakeAppServer.Script script = FakeAppServer.script()
                .onNotification("initialized", raw("this is not json"), raw("{\"id\":7,\"result\":"), largeLine(1 << 20));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            JsonNode big = rpc.await(m -> method(m).equals("item/completed"), WAIT);
            assertTrue(Json.write(big).length() >= (1 << 20) - 100, "line length " + Json.write(big).length());
            assertEquals(List.of("this is not json", "{\"id\":7,\"result\":"), rpc.badLines());
        }
    }

    @Test
    void clientGarbageIsRecordedAndIgnored() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.writeRaw("{oops");
            rpc.initialize();
            assertEquals("{oops", fake.receivedLines().get(0));
            assertEquals("initialize", method(fake.received().get(0)));
        }
    }

    @Test
    void approvalRequestWaitsForTheClientsReply() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                respond(AppServerMessages.turnStartResult("${turnId}")), commandApproval("rm -rf build"),
                simpleTurn("approved"));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.onServerRequest(req -> Json.object().put("decision", "accept"));
            rpc.initialize();
            String thread = rpc.startThread();
            String turn = rpc.startTurn(thread, "clean");
            rpc.awaitTurnCompleted(turn, WAIT);

            JsonNode request = rpc.await(m -> method(m).equals("item/commandExecution/requestApproval"), WAIT);
            assertEquals(thread, request.path("params").path("threadId").asString());
            assertEquals(turn, request.path("params").path("turnId").asString());
            assertEquals("accept", fake.replyTo(request.path("id").asLong()).orElseThrow()
                    .path("result").path("decision").asString());
        }
    }

    @Test
    void neverAnsweredRequestGetsNoReply() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().neverAnswer("thread/start"));
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            assertThrows(AssertionError.class, () -> rpc.call("thread/start", Json.object(), Duration.ofMillis(300)));
            assertEquals(1, fake.requests("thread/start").size());
        }
    }

    @Test
    void unknownMethodIsAnInvalidRequest() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            JsonNode reply = rpc.call("no/such/method", Json.object(), WAIT);
            assertEquals(-32600, reply.path("error").path("code").asInt());
        }
    }

    @Test
    void exitStepEndsTheStreamWithItsCode() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("thread/start", exit(3)));
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            rpc.write(Json.object().put("id", 99).put("method", "thread/start").set("params", Json.object()));
            assertTrue(rpc.awaitEof(WAIT));
            assertEquals(3, fake.awaitExit(WAIT));
        }
    }

    @Test
    void closingTheClientOutputExitsZero() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script())) {
            RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput());
            rpc.initialize();
            rpc.close();
            assertEquals(0, fake.awaitExit(WAIT));
        }
    }

    @Test
    void eofStepClosesTheStreamMidTurn() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.eof());
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            rpc.startTurn(rpc.startThread(), "x");
            assertTrue(rpc.awaitEof(WAIT));
        }
    }

    @Test
    void burstEmitsTheAnnouncedNumberOfLines() {
        ScriptStep.Burst burst = new ScriptStep.Burst(3, 2, 500, 50, 4096);
        FakeAppServer.Script script = FakeAppServer.script().afterInitialize().onNotification("initialized", burst);
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            org.awaitility.Awaitility.await().atMost(WAIT)
                    .until(() -> rpc.notifications("turn/completed").size() == 6);
            assertEquals(burst.lineCount() + 1, rpc.messages().size()); // + the initialize response
            assertEquals(3 * 2 * 500, rpc.notifications("item/agentMessage/delta").size());
            assertEquals(3 * 2 * 10, rpc.notifications("item/completed").size());
        }
    }

    @Test
    void handlerLambdaCanScriptAnything() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", (req, out) -> {
            out.respond(AppServerMessages.threadStartResult("thread-from-handler", "/w"));
            out.send(AppServerMessages.notification("brand/new/method", Json.object().put("x", 1)));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                RawRpcClient rpc = new RawRpcClient(fake.clientInput(), fake.clientOutput())) {
            rpc.initialize();
            assertEquals("thread-from-handler", rpc.startThread());
            assertEquals(1, rpc.await(m -> method(m).equals("brand/new/method"), WAIT).path("params").path("x").asInt());
        }
    }

    @Test
    void scriptSurvivesTheTripToAChildProcess() {
        FakeAppServer.Script script = FakeAppServer.script().defaultAnswer("a").concurrentHandlers()
                .onRequest("x", 2, overloaded(), ScriptStep.delay(Duration.ofMillis(5)), largeLine(10))
                .onNotification("initialized", new ScriptStep.Burst(1, 1, 3, 1, 2), commandApproval("ls"));
        FakeAppServer.Script back = FakeAppServer.Script.fromJson(Json.parse(Json.write(script.toJson()), "script"));
        assertEquals(script.toJson(), back.toJson());
    }

    @Test
    void handlerLambdaCannotGoToAChildProcess() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("x", (req, out) -> out.respond(Json.object()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FakeAppServer.childProcess(script));
        assertTrue(e.getMessage().contains("Handler"), e.getMessage());
    }
}
