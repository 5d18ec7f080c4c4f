package dev.codex4j.internal.runtime;

import static dev.codex4j.testkit.ScriptStep.exit;
import static dev.codex4j.testkit.ScriptStep.stderr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The stdio transport and supervision against testkit's FakeAppServer as a child JVM. */
@Timeout(120)
class FakeAppServerProcessIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static void initialize(Connection c) {
        ObjectNode params = ProtocolCodec.emptyObject();
        params.putObject("clientInfo").put("name", "runtime-it").put("title", "t").put("version", "0");
        c.request("initialize", params, WAIT).join();
        c.notify("initialized", ProtocolCodec.emptyObject());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(CompletionException.class, () -> f.orTimeout(15, TimeUnit.SECONDS).join()).getCause();
    }

    @Test
    void turnRunsOverStdioAndCloseLeavesNothing() throws Exception {
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script().defaultAnswer("over stdio"))) {
            StdioTransport transport = StdioTransport.start(fake.launch().withConfig("model", "\"m\""),
                    Duration.ofSeconds(5));
            Connection c = Connection.open(transport);
            initialize(c);
            String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join()
                    .path("thread").path("id").asString();
            ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
            params.putArray("input").addObject().put("type", "text").put("text", "hi");
            String turnId = c.request("turn/start", params).join().path("turn").path("id").asString();
            StringBuilder text = new StringBuilder();
            try (TurnMailbox box = c.turnMailbox(threadId, turnId)) {
                for (;;) {
                    Inbound in = box.take(WAIT);
                    assertNotNull(in);
                    JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
                    if (n.method().equals("item/agentMessage/delta")) {
                        text.append(n.params().path("delta").asString());
                    }
                    if (n.method().equals("turn/completed")) {
                        break;
                    }
                }
            }
            assertEquals("over stdio", text.toString());
            assertEquals(List.of("app-server", "-c", "model=\"m\""), fake.arguments());
            c.close();
            assertFalse(transport.processHandle().isAlive());
            assertEquals(0, transport.exitCode().orElseThrow(), "it exited by itself when stdin closed");
            assertEquals(List.of(), c.liveThreads());
            assertFalse(transport.stderrThread().isAlive());
        }
    }

    @Test
    void childExitFailsWaitersWithExitCodeAndStderr() throws Exception {
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script()
                .onRequest("thread/start", stderr("fatal: the fake gives up"), exit(3)))) {
            StdioTransport transport = StdioTransport.start(fake.launch(), Duration.ofSeconds(5));
            try (Connection c = Connection.open(transport)) {
                initialize(c);
                TurnMailbox box = c.turnMailbox("th", "tu");
                TransportClosedException e = assertInstanceOf(TransportClosedException.class,
                        failure(c.request("thread/start", ProtocolCodec.emptyObject())));
                // The fake closes stdout and halts a moment later; the runtime waits a bounded grace
                // for the exit code, so on a loaded machine the code may be missing, never wrong.
                e.exitCode().ifPresent(code -> assertEquals(3, code));
                assertEquals(3, transport.awaitExit(WAIT).orElseThrow());
                assertTrue(transport.stderrTail().contains("fatal: the fake gives up"), transport.stderrTail());
                TransportClosedException taken = assertThrows(TransportClosedException.class, () -> box.take(WAIT));
                assertEquals(e.exitCode(), taken.exitCode());
            }
        }
    }

    @Test
    void killedChildFailsAllWaitersWithinOneSecond() throws Exception {
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script().neverAnswer("model/list"))) {
            StdioTransport transport = StdioTransport.start(fake.launch(), Duration.ofSeconds(5));
            try (Connection c = Connection.open(transport)) {
                initialize(c);
                CompletableFuture<JsonNode> pending = c.request("model/list", ProtocolCodec.emptyObject(), WAIT);
                TurnMailbox box = c.turnMailbox("th", "tu");
                CompletableFuture<Throwable> consumer = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        box.take(WAIT);
                        consumer.complete(null);
                    } catch (Throwable e) {
                        consumer.complete(e);
                    }
                });
                long start = System.nanoTime();
                transport.processHandle().destroyForcibly();
                assertInstanceOf(TransportClosedException.class, consumer.get(1, TimeUnit.SECONDS));
                assertInstanceOf(TransportClosedException.class, failure(pending));
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed < TimeUnit.SECONDS.toNanos(1), "took " + elapsed / 1_000_000 + " ms");
                assertFalse(c.isOpen());
            }
        }
    }
}
