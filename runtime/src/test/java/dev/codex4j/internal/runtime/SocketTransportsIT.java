package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The socket transports against the real Codex CLI listening on ws:// and unix://, offline. */
@Timeout(120)
class SocketTransportsIT {
    private static final Duration TURN = Duration.ofSeconds(30);
    private static final LinkOptions LINK = LinkOptions.defaults().withConnectTimeout(Duration.ofSeconds(20));

    private static Connection handshake(Transport transport) {
        Connection c = Connection.open(transport);
        ObjectNode params = ProtocolCodec.emptyObject();
        params.putObject("clientInfo").put("name", "codex4j-socket-it").put("title", "socket IT").put("version", "0");
        JsonNode init = c.request("initialize", params).join();
        assertTrue(init.path("userAgent").asString().startsWith("codex4j-socket-it/"), init.toString());
        c.notify("initialized", ProtocolCodec.emptyObject());
        return c;
    }

    /** Runs one turn on a new thread; returns its deltas joined. */
    private static String turn(Connection c, String text) throws InterruptedException {
        String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join().path("thread").path("id").asString();
        ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
        params.putArray("input").addObject().put("type", "text").put("text", text);
        String turnId = c.request("turn/start", params).join().path("turn").path("id").asString();
        StringBuilder deltas = new StringBuilder();
        try (TurnMailbox box = c.turnMailbox(threadId, turnId)) {
            for (;;) {
                Inbound in = box.take(TURN);
                assertNotNull(in, "the turn stalled");
                JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
                if (n.method().equals("item/agentMessage/delta")) {
                    deltas.append(n.params().path("delta").asString());
                }
                if (n.method().equals("turn/completed")) {
                    assertEquals("completed", n.params().path("turn").path("status").asString());
                    return deltas.toString();
                }
            }
        }
    }

    private static void assertNothingLeft(Connection c, ListeningAppServer.Owning t) {
        assertFalse(t.processHandle().isAlive(), "the app-server process is gone");
        assertEquals(List.of(), c.liveThreads(), "no runtime thread is left");
        assertFalse(t.server().stderrThread().isAlive(), "the stderr drain ended");
        assertEquals(List.of(), transportThreads(), "no thread of the WebSocket client is left");
    }

    /** Threads of the JDK's HTTP client (platform) that a WebSocket transport may leave behind. */
    static List<String> transportThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("HttpClient-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void turnOverAUnixSocket() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.message("Hello over a unix socket"));
            var t = (ListeningAppServer.Owning) ListeningAppServer.startUnix(offline.launch(), null, LINK, Duration.ofSeconds(5));
            assertTrue(t.describe().contains("unix://"), t.describe());
            Connection c = handshake(t);
            Path socketDir;
            try {
                assertEquals("Hello over a unix socket", turn(c, "hi"));
                socketDir = Path.of(t.describe().substring(t.describe().indexOf("unix://") + 7)).getParent();
                assertTrue(Files.isDirectory(socketDir));
            } finally {
                c.close();
            }
            assertNothingLeft(c, t);
            assertFalse(Files.exists(socketDir), "the socket's private directory is removed");
        }
    }

    @Test
    void turnOverALoopbackWebSocketWithAGeneratedToken() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.message("Hello over a WebSocket"));
            var t = (ListeningAppServer.Owning) ListeningAppServer.startWebSocket(offline.launch(), LINK, Duration.ofSeconds(5));
            Connection c = handshake(t);
            try {
                assertEquals("Hello over a WebSocket", turn(c, "hi"));
            } finally {
                c.close();
            }
            assertNothingLeft(c, t);
        }
    }

    @Test
    void capabilityTokenFromAFileIsAcceptedAndAWrongOneRefusedTyped() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            Path tokenFile = offline.codexHome().resolve("ws-token");
            Files.writeString(tokenFile, "s3cret-capability-token\n");
            ListeningAppServer server = ListeningAppServer.start(offline.launch(), List.of("--listen", "ws://127.0.0.1:0",
                    "--ws-auth", "capability-token", "--ws-token-file", tokenFile.toString()), Duration.ofSeconds(5));
            try {
                URI uri = server.awaitBanner(Duration.ofSeconds(20));
                AuthenticationException wrong = assertThrows(AuthenticationException.class,
                        () -> WebSocketTransport.connect(uri, LINK.withBearer(() -> "not-the-token")));
                assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
                assertTrue(wrong.getMessage().contains(uri.toString()), wrong.getMessage());
                AuthenticationException missing = assertThrows(AuthenticationException.class,
                        () -> WebSocketTransport.connect(uri, LINK));
                assertTrue(missing.getMessage().contains("no token was sent"), missing.getMessage());
                offline.server().enqueue(ModelReply.message("token accepted"));
                try (Connection c = handshake(WebSocketTransport.connect(uri, LINK.withBearer(
                        () -> new String(SignedBearerTokens.strip(read(tokenFile)), StandardCharsets.UTF_8))))) {
                    assertEquals("token accepted", turn(c, "hi"));
                }
                assertEquals(List.of(), transportThreads());
            } finally {
                server.close();
            }
        }
    }

    @Test
    void signedBearerTokenIsMintedPerConnectionAndCheckedByTheServer() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            byte[] secret = "0123456789abcdef0123456789abcdef-shared".getBytes(StandardCharsets.UTF_8);
            Path secretFile = offline.codexHome().resolve("ws-secret");
            Files.write(secretFile, secret);
            ListeningAppServer server = ListeningAppServer.start(offline.launch(), List.of("--listen", "ws://127.0.0.1:0",
                    "--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", secretFile.toString(),
                    "--ws-issuer", "codex4j-tests", "--ws-audience", "codex-fleet"), Duration.ofSeconds(5));
            try {
                URI uri = server.awaitBanner(Duration.ofSeconds(20));
                AuthenticationException badAudience = assertThrows(AuthenticationException.class, () -> WebSocketTransport.connect(uri,
                        LINK.withBearer(() -> SignedBearerTokens.mint(secret, "codex4j-tests", "elsewhere", Duration.ofSeconds(30), Instant.now()))));
                assertTrue(badAudience.getMessage().contains("audience mismatch"), badAudience.getMessage());
                AuthenticationException expired = assertThrows(AuthenticationException.class, () -> WebSocketTransport.connect(uri,
                        LINK.withBearer(() -> SignedBearerTokens.mint(secret, "codex4j-tests", "codex-fleet", Duration.ofSeconds(5),
                                Instant.now().minusSeconds(3600)))));
                assertTrue(expired.getMessage().contains("\"expired websocket jwt\""), expired.getMessage());
                offline.server().enqueue(ModelReply.message("jwt accepted"));
                try (Connection c = handshake(WebSocketTransport.connect(uri, LINK.withBearer(
                        () -> SignedBearerTokens.mint(secret, "codex4j-tests", "codex-fleet", Duration.ofSeconds(30), Instant.now()))))) {
                    assertEquals("jwt accepted", turn(c, "hi"));
                }
            } finally {
                server.close();
            }
        }
    }

    @Test
    void killedServerFailsEveryWaiterWithinOneSecondOverAWebSocket() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.stall());
            var t = (ListeningAppServer.Owning) ListeningAppServer.startWebSocket(offline.launch(), LINK, Duration.ofSeconds(5));
            Connection c = handshake(t);
            String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join().path("thread").path("id").asString();
            ObjectNode params = ProtocolCodec.emptyObject().put("threadId", threadId);
            params.putArray("input").addObject().put("type", "text").put("text", "stall");
            String turnId = c.request("turn/start", params).join().path("turn").path("id").asString();
            TurnMailbox box = c.turnMailbox(threadId, turnId);
            CompletableFuture<JsonNode> pending = c.request("model/list", ProtocolCodec.emptyObject(), Duration.ofSeconds(30));
            long start = System.nanoTime();
            t.processHandle().destroyForcibly();
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> {
                while (box.take(Duration.ofSeconds(5)) != null) {
                    // what the turn produced before the kill
                }
            });
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed < TimeUnit.SECONDS.toNanos(1), "took " + elapsed / 1_000_000 + " ms");
            assertEquals(137, e.exitCode().orElseThrow(), e.getMessage());
            assertTrue(pending.handle((r, ex) -> ex == null || ex instanceof TransportClosedException)
                    .get(1, TimeUnit.SECONDS), "model/list was answered before the kill or failed with it");
            c.close();
            assertNothingLeft(c, t);
        }
    }

    @Test
    void frozenServerIsDetectedByTheKeepAlive() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            var t = (ListeningAppServer.Owning) ListeningAppServer.startUnix(offline.launch(), null,
                    LINK.withKeepAlive(Duration.ofMillis(200), Duration.ofMillis(300)), Duration.ofSeconds(5));
            Connection c = handshake(t);
            long pid = t.processHandle().pid();
            CompletableFuture<JsonNode> pending;
            long start;
            try {
                Thread.sleep(600); // idle longer than the interval: pings are answered, the link stays up
                assertTrue(c.isOpen(), "an idle but live server is kept");
                new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
                start = System.nanoTime();
                pending = c.request("model/list", ProtocolCodec.emptyObject(), Duration.ofSeconds(30));
                Throwable e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> pending.get(5, TimeUnit.SECONDS)).getCause();
                assertInstanceOf(TransportClosedException.class, e);
                assertTrue(e.getMessage().contains("did not answer a ping"), e.getMessage());
                assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_500),
                        "took " + (System.nanoTime() - start) / 1_000_000 + " ms");
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
                c.close();
            }
            assertNothingLeft(c, t);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
