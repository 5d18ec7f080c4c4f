package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The runtime against the real Codex CLI, offline, with the mock model. */
@Timeout(120)
class RealCodexConnectionIT {
    private static final Duration TURN = Duration.ofSeconds(30);

    private static Connection connect(OfflineCodex offline) {
        return connect(StdioTransport.start(offline.launch(), Duration.ofSeconds(5)));
    }

    private static Connection connect(StdioTransport transport) {
        Connection c = Connection.open(transport);
        ObjectNode params = ProtocolCodec.emptyObject();
        params.putObject("clientInfo").put("name", "codex4j-runtime-it").put("title", "runtime IT").put("version", "0");
        JsonNode init = c.request("initialize", params).join();
        assertTrue(init.path("userAgent").asString().startsWith("codex4j-runtime-it/"), init.toString());
        c.notify("initialized", ProtocolCodec.emptyObject());
        return c;
    }

    private static String startThread(Connection c) {
        return c.request("thread/start", ProtocolCodec.emptyObject()).join().path("thread").path("id").asString();
    }

    private static CompletableFuture<JsonNode> startTurn(Connection c, String threadId, String text) {
        ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
        params.putArray("input").addObject().put("type", "text").put("text", text);
        return c.request("turn/start", params);
    }

    /** Takes until turn/completed; returns every message of the turn, decoded. */
    private static List<JsonRpcMessage.Notification> takeTurn(TurnMailbox box) throws InterruptedException {
        List<JsonRpcMessage.Notification> got = new ArrayList<>();
        for (;;) {
            Inbound in = box.take(TURN);
            assertNotNull(in, "turn " + box.turnId() + " stalled after " + got.size() + " messages");
            assertEquals(box.turnId(), in.keys().turnId());
            JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
            got.add(n);
            if (n.method().equals("turn/completed")) {
                return got;
            }
        }
    }

    private static String deltas(List<JsonRpcMessage.Notification> turn) {
        StringBuilder sb = new StringBuilder();
        for (JsonRpcMessage.Notification n : turn) {
            if (n.method().equals("item/agentMessage/delta")) {
                sb.append(n.params().path("delta").asString());
            }
        }
        return sb.toString();
    }

    private static void assertNothingLeft(Connection c, StdioTransport t) {
        assertFalse(t.processHandle().isAlive(), "the app-server process is gone");
        assertEquals(List.of(), c.liveThreads(), "no runtime thread is left");
        assertFalse(t.stderrThread().isAlive(), "the stderr drain ended");
    }

    @Test
    void turnStreamsThroughItsMailboxUntilTurnCompleted() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.message("Hello from the mock model!"));
            StdioTransport transport = StdioTransport.start(offline.launch(), Duration.ofSeconds(5));
            Connection c = connect(transport);
            try {
                String threadId = startThread(c);
                String turnId = startTurn(c, threadId, "Say hello").join().path("turn").path("id").asString();
                List<JsonRpcMessage.Notification> turn;
                try (TurnMailbox box = c.turnMailbox(threadId, turnId)) {
                    turn = takeTurn(box);
                }
                assertEquals("turn/started", turn.getFirst().method(), "nothing before turn/started was lost");
                assertEquals("completed", turn.getLast().params().path("turn").path("status").asString());
                assertEquals("Hello from the mock model!", deltas(turn));
            } finally {
                c.close();
            }
            assertNothingLeft(c, transport);
        }
    }

    @Test
    void concurrentTurnsOnTwoThreadsRouteExactly() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().defaultReply(request -> ModelReply.message("answer to " + request.lastUserText()));
            try (Connection c = connect(offline)) {
                String a = startThread(c);
                String b = startThread(c);
                CompletableFuture<JsonNode> turnA = startTurn(c, a, "alpha");
                CompletableFuture<JsonNode> turnB = startTurn(c, b, "beta");
                TurnMailbox boxA = c.turnMailbox(a, turnA.join().path("turn").path("id").asString());
                TurnMailbox boxB = c.turnMailbox(b, turnB.join().path("turn").path("id").asString());
                CompletableFuture<List<JsonRpcMessage.Notification>> takeB = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        takeB.complete(takeTurn(boxB));
                    } catch (Throwable e) {
                        takeB.completeExceptionally(e);
                    }
                });
                List<JsonRpcMessage.Notification> resultA = takeTurn(boxA);
                List<JsonRpcMessage.Notification> resultB = takeB.get(60, TimeUnit.SECONDS);
                assertEquals("answer to alpha", deltas(resultA));
                assertEquals("answer to beta", deltas(resultB));
                for (JsonRpcMessage.Notification n : resultA) {
                    assertEquals(a, n.params().path("threadId").asString(), n.method());
                }
                for (JsonRpcMessage.Notification n : resultB) {
                    assertEquals(b, n.params().path("threadId").asString(), n.method());
                }
            }
        }
    }

    @Test
    void approvalRequestIsAnsweredByTheThreadsHandler() throws Exception {
        try (OfflineCodex offline = OfflineCodex.builder()
                .approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY)
                .start()) {
            offline.server().enqueue(
                    ModelReply.execCommandEscalated("touch marker.txt && echo created-marker", "needs to write"),
                    ModelReply.message("Created the marker."));
            try (Connection c = connect(offline)) {
                String threadId = startThread(c);
                List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
                c.threadServerRequestHandler(threadId, request -> {
                    asked.add(request.method());
                    return ProtocolCodec.objectOf(Map.of("decision", "accept"));
                });
                String turnId = startTurn(c, threadId, "please create the marker").join().path("turn").path("id").asString();
                List<JsonRpcMessage.Notification> turn;
                try (TurnMailbox box = c.turnMailbox(threadId, turnId)) {
                    turn = takeTurn(box);
                }
                assertEquals(List.of("item/commandExecution/requestApproval"), asked);
                assertEquals("completed", turn.getLast().params().path("turn").path("status").asString());
                assertTrue(Files.exists(offline.workDir().resolve("marker.txt")), "the accepted command ran");
            }
        }
    }

    @Test
    void killedAppServerFailsEveryWaiterWithinOneSecond() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.stall());
            StdioTransport transport = StdioTransport.start(offline.launch(), Duration.ofSeconds(5));
            Connection c = connect(transport);
            String threadId = startThread(c);
            String turnId = startTurn(c, threadId, "stall").join().path("turn").path("id").asString();
            TurnMailbox box = c.turnMailbox(threadId, turnId);
            assertEquals("turn/started", firstTurnStarted(box));
            CompletableFuture<JsonNode> pending = c.request("model/list", ProtocolCodec.emptyObject(), Duration.ofSeconds(30));
            long start = System.nanoTime();
            transport.processHandle().destroyForcibly();
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> {
                while (box.take(Duration.ofSeconds(5)) != null) {
                    // drain what the turn produced before the kill
                }
            });
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed < TimeUnit.SECONDS.toNanos(1), "took " + elapsed / 1_000_000 + " ms");
            assertEquals(137, e.exitCode().orElseThrow());
            assertTrue(pending.handle((r, ex) -> ex == null || ex instanceof TransportClosedException)
                    .get(1, TimeUnit.SECONDS), "model/list was answered before the kill or failed with it");
            c.close();
            assertNothingLeft(c, transport);
        }
    }

    private static String firstTurnStarted(TurnMailbox box) throws InterruptedException {
        for (;;) {
            Inbound in = box.take(TURN);
            assertNotNull(in);
            if (in.method().equals("turn/started")) {
                return in.method();
            }
        }
    }

    @Test
    void closeLeavesNoProcessAndNoThread() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.stall());
            StdioTransport transport = StdioTransport.start(offline.launch(), Duration.ofSeconds(5));
            Connection c = connect(transport);
            String threadId = startThread(c);
            String turnId = startTurn(c, threadId, "stall").join().path("turn").path("id").asString();
            TurnMailbox box = c.turnMailbox(threadId, turnId);
            c.subscribeThread(threadId, in -> { });
            c.subscribeGlobal(in -> { });
            List<ProcessHandle> tree = new ArrayList<>(transport.processHandle().descendants().toList());
            tree.add(transport.processHandle());
            c.close();
            for (ProcessHandle h : tree) {
                assertFalse(h.isAlive(), "process " + h.pid() + " is gone");
            }
            assertNothingLeft(c, transport);
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> {
                while (box.take(Duration.ofSeconds(5)) != null) {
                    // messages that arrived before close are still handed over
                }
            });
            assertInstanceOf(TransportClosedException.class, e);
        }
    }
}
