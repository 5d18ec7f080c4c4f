package dev.codex4j.internal.runtime;

import static dev.codex4j.testkit.ScriptStep.burst;
import static dev.codex4j.testkit.ScriptStep.commandApproval;
import static dev.codex4j.testkit.ScriptStep.eof;
import static dev.codex4j.testkit.ScriptStep.largeLine;
import static dev.codex4j.testkit.ScriptStep.overloaded;
import static dev.codex4j.testkit.ScriptStep.raw;
import static dev.codex4j.testkit.ScriptStep.respond;
import static dev.codex4j.testkit.ScriptStep.respondEmpty;
import static dev.codex4j.testkit.ScriptStep.simpleTurn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The runtime against testkit's in-process FakeAppServer. */
@Timeout(60)
class FakeAppServerConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String[] WORDS = {"The ", "quick ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "};

    private static Connection open(FakeAppServer fake, ConnectionOptions options) {
        Connection c = Connection.open(new StreamTransport(fake.clientInput(), fake.clientOutput()), options);
        ObjectNode params = ProtocolCodec.emptyObject();
        params.putObject("clientInfo").put("name", "runtime-test").put("title", "t").put("version", "0");
        c.request("initialize", params).join();
        c.notify("initialized", ProtocolCodec.emptyObject());
        return c;
    }

    private static Connection open(FakeAppServer fake) {
        return open(fake, ConnectionOptions.defaults());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(CompletionException.class, () -> f.orTimeout(10, TimeUnit.SECONDS).join()).getCause();
    }

    private static List<String> takeTurn(TurnMailbox box) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (;;) {
            Inbound in = box.take(WAIT);
            assertNotNull(in, "turn " + box.turnId() + " stalled after " + got.size());
            JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
            switch (n.method()) {
                case "item/agentMessage/delta" -> got.add("delta " + n.params().path("delta").asString());
                case "item/completed" -> got.add("completed " + n.params().path("item").path("id").asString());
                default -> got.add(n.method());
            }
            if (n.method().equals("turn/completed")) {
                return got;
            }
        }
    }

    /** What the fake's burst writes for one turn. */
    private static List<String> expectedBurstTurn(String turnId, int deltas, int completedEvery) {
        List<String> out = new ArrayList<>();
        out.add("turn/started");
        int item = 0;
        for (int d = 0; d < deltas; d++) {
            out.add("delta " + WORDS[d % WORDS.length]);
            if ((d + 1) % completedEvery == 0) {
                out.add("completed msg-" + turnId + "-" + item++);
            }
        }
        out.add("turn/completed");
        return out;
    }

    @Test
    void interleavedBurstOfTurnsOnSeveralThreadsRoutesExactly() throws Exception {
        int threads = 4;
        int turnsPerThread = 3;
        int deltas = 300;
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()
                .onRequest("burst/go", respondEmpty(), burst(threads, turnsPerThread, deltas)));
                Connection c = open(fake)) {
            // Claim half the turns before the burst; the rest are held until claimed after it.
            List<TurnMailbox> boxes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int k = 0; k < turnsPerThread; k++) {
                    if ((t + k) % 2 == 0) {
                        boxes.add(c.turnMailbox("burst-thread-" + t, "burst-turn-" + t + "-" + k));
                    }
                }
            }
            List<CompletableFuture<List<String>>> early = new ArrayList<>();
            for (TurnMailbox box : boxes) {
                CompletableFuture<List<String>> f = new CompletableFuture<>();
                early.add(f);
                Thread.ofVirtual().start(() -> {
                    try {
                        f.complete(takeTurn(box));
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                });
            }
            c.request("burst/go", ProtocolCodec.emptyObject()).join();
            for (int i = 0; i < boxes.size(); i++) {
                String turnId = boxes.get(i).turnId();
                assertEquals(expectedBurstTurn(turnId, deltas, 50), early.get(i).get(20, TimeUnit.SECONDS), turnId);
            }
            for (int t = 0; t < threads; t++) {
                for (int k = 0; k < turnsPerThread; k++) {
                    if ((t + k) % 2 != 0) {
                        String turnId = "burst-turn-" + t + "-" + k;
                        assertEquals(expectedBurstTurn(turnId, deltas, 50),
                                takeTurn(c.turnMailbox("burst-thread-" + t, turnId)), turnId);
                    }
                }
            }
            assertEquals(0, c.heldBytes());
        }
    }

    @Test
    void earlyTurnCompletedIsDelivered() throws Exception {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()
                .onRequest("turn/start", simpleTurn("done early"),
                        respond(AppServerMessages.turnStartResult("${turnId}"))));
                Connection c = open(fake)) {
            String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join()
                    .path("thread").path("id").asString();
            ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
            params.putArray("input").addObject().put("type", "text").put("text", "hi");
            String turnId = c.request("turn/start", params).join().path("turn").path("id").asString();
            List<String> turn = takeTurn(c.turnMailbox(threadId, turnId));
            assertEquals("turn/completed", turn.getLast());
            String text = turn.stream().filter(l -> l.startsWith("delta ")).map(l -> l.substring(6))
                    .reduce("", String::concat);
            assertEquals("done early", text, turn.toString());
        }
    }

    @Test
    void overloadRepliesAreRetriedThenSucceed() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()
                .onRequest("thread/start", 2, overloaded()));
                Connection c = open(fake, ConnectionOptions.builder().retryInitialDelay(Duration.ofMillis(10)).build())) {
            JsonNode result = c.request("thread/start", ProtocolCodec.emptyObject()).join();
            assertTrue(result.path("thread").path("id").isString());
            List<JsonNode> attempts = fake.requests("thread/start");
            assertEquals(3, attempts.size());
            assertEquals(3, attempts.stream().map(a -> a.path("id").asLong()).distinct().count());
        }
    }

    @Test
    void unansweredRequestTimesOut() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().neverAnswer("model/list"));
                Connection c = open(fake)) {
            Throwable e = failure(c.request("model/list", ProtocolCodec.emptyObject(), Duration.ofMillis(300)));
            assertInstanceOf(RequestTimeoutException.class, e);
            assertTrue(c.request("thread/start", ProtocolCodec.emptyObject()).join().has("thread"),
                    "the connection still works");
        }
    }

    @Test
    void garbageAndHugeLinesDoNotStopTheDispatcher() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()
                .onRequest("noise", raw("not json at all"), raw("{\"id\":"), raw("{}"), largeLine(1 << 20),
                        respond(ProtocolCodec.objectOf(Map.of("survived", true)))));
                Connection c = open(fake)) {
            assertTrue(c.request("noise", ProtocolCodec.emptyObject()).join().path("survived").asBoolean());
        }
    }

    @Test
    void approvalIsAnsweredByTheTurnsHandler() throws Exception {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()
                .onRequest("turn/start", respond(AppServerMessages.turnStartResult("${turnId}")),
                        commandApproval("rm -rf build"), simpleTurn("approved"))
                .concurrentHandlers());
                Connection c = open(fake)) {
            String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join()
                    .path("thread").path("id").asString();
            c.threadServerRequestHandler(threadId, r -> ProtocolCodec.objectOf(Map.of("decision", "accept")));
            ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
            params.putArray("input").addObject().put("type", "text").put("text", "hi");
            String turnId = c.request("turn/start", params).join().path("turn").path("id").asString();
            assertEquals("turn/completed", takeTurn(c.turnMailbox(threadId, turnId)).getLast());
            JsonNode reply = fake.awaitReceived(m -> m.has("result") && m.path("result").has("decision"), WAIT);
            assertEquals("accept", reply.path("result").path("decision").asString());
        }
    }

    @Test
    void endOfStreamFailsEveryWaiter() throws Exception {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("thread/start", eof()));
                Connection c = open(fake)) {
            TurnMailbox box = c.turnMailbox("th", "tu");
            Throwable e = failure(c.request("thread/start", ProtocolCodec.emptyObject()));
            assertInstanceOf(TransportClosedException.class, e);
            assertThrows(TransportClosedException.class, () -> box.take(WAIT));
        }
    }
}
