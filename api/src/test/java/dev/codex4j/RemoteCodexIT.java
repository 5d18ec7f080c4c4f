package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API over socket transports against the real Codex CLI, offline: a child listening on
 * a unix socket or a loopback WebSocket, and servers that already run, reached with each auth mode
 * and through TLS.
 */
@Timeout(120)
class RemoteCodexIT {
    private OfflineCodex offline;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    /** Nothing of the SDK is left: no codex4j thread, no HTTP client thread, no child process. */
    private static void assertNothingLeft(List<ProcessHandle> children) {
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && (t.getName().startsWith("codex4j") || t.getName().startsWith("HttpClient-"))));
        children.forEach(p -> assertFalse(p.isAlive(), "child " + p.pid() + " still alive"));
    }

    private static List<ProcessHandle> appServers() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("app-server")).toList();
    }

    @Test
    void aChildListeningOnAUnixSocketRunsTurns() {
        offline.server().enqueue(ModelReply.message("over unix"));
        List<ProcessHandle> children;
        try (Codex codex = Codex.builder().launch(offline.launch()).listen(ListenAddress.unixSocket()).build()) {
            children = appServers();
            assertEquals(1, children.size(), "one listening child");
            assertTrue(children.getFirst().info().commandLine().orElse("").contains("--listen unix://"));
            assertEquals(Optional.of("over unix"), codex.startThread().run("hi").finalResponse());
        }
        assertNothingLeft(children);
    }

    @Test
    void aChildListeningOnALoopbackWebSocketRunsTurnsAndIsGuardedByAToken() {
        offline.server().enqueue(ModelReply.message("over ws"));
        List<ProcessHandle> children;
        try (Codex codex = Codex.builder().launch(offline.launch()).listen(ListenAddress.webSocket()).build()) {
            children = appServers();
            String cmd = children.getFirst().info().commandLine().orElse("");
            assertTrue(cmd.contains("--ws-auth capability-token --ws-token-sha256 "), cmd);
            assertEquals(Optional.of("over ws"), codex.startThread().run("hi").finalResponse());
        }
        assertNothingLeft(children);
    }

    @Test
    void aRunningServerIsReachedWithACapabilityTokenFromAFileAndAWrongTokenIsRefusedTyped() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "capability-" + System.nanoTime() + "\n");
        OfflineCodex.ListeningServer server = offline.startListening("ws://127.0.0.1:0",
                "--ws-auth", "capability-token", "--ws-token-file", token.toString());

        AuthenticationException wrong = assertThrows(AuthenticationException.class, () -> Codex.builder()
                .connect(server.endpoint(), ServerAuth.capabilityToken(() -> "not-it")).build());
        assertTrue(wrong.getMessage().contains("HTTP 401"), wrong.getMessage());
        AuthenticationException none = assertThrows(AuthenticationException.class,
                () -> Codex.builder().connect(server.endpoint()).build());
        assertTrue(none.getMessage().contains("no token was sent"), none.getMessage());

        offline.server().enqueue(ModelReply.message("token ok"));
        try (Codex codex = Codex.builder().connect(server.endpoint(), ServerAuth.capabilityToken(token)).build()) {
            assertEquals(Optional.of("token ok"), codex.startThread().run("hi").finalResponse());
        }
        assertTrue(server.process().isAlive(), "closing the client leaves a server it did not start");
        assertNothingLeft(List.of());
    }

    @Test
    void aRunningServerIsReachedWithASignedBearerTokenMintedPerConnection() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "a-shared-secret-of-more-than-32-bytes-" + System.nanoTime() + "\n");
        OfflineCodex.ListeningServer server = offline.startListening("ws://127.0.0.1:0",
                "--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", secret.toString(),
                "--ws-issuer", "codex4j-it", "--ws-audience", "codex-fleet");
        ServerAuth good = ServerAuth.signedBearerToken().secretFile(secret).issuer("codex4j-it").audience("codex-fleet")
                .ttl(Duration.ofSeconds(30)).build();
        ServerAuth wrongAudience = ServerAuth.signedBearerToken().secretFile(secret).issuer("codex4j-it").audience("other")
                .build();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> Codex.builder().connect(server.endpoint(), wrongAudience).build());
        assertTrue(e.getMessage().contains("\"websocket jwt audience mismatch\""), e.getMessage());

        offline.server().enqueue(ModelReply.message("jwt 1"), ModelReply.message("jwt 2"));
        for (String expected : List.of("jwt 1", "jwt 2")) { // a fresh token for each connection
            try (Codex codex = Codex.builder().connect(server.endpoint(), good).build()) {
                assertEquals(Optional.of(expected), codex.startThread().run("hi").finalResponse());
            }
        }
    }

    @Test
    void aRunningServerIsReachedOverAUnixSocket() throws Exception {
        Path socket = dir.resolve("app.sock");
        OfflineCodex.ListeningServer server = offline.startListening("unix://" + socket);
        offline.server().enqueue(ModelReply.message("unix ok"));
        try (Codex codex = Codex.builder().connect(server.endpoint()).build()) {
            assertEquals(Optional.of("unix ok"), codex.startThread().run("hi").finalResponse());
        }
        assertTrue(server.process().isAlive());
    }

    @Test
    void wssThroughATlsTerminatingProxy() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "tls-" + System.nanoTime());
        OfflineCodex.ListeningServer server = offline.startListening("ws://127.0.0.1:0",
                "--ws-auth", "capability-token", "--ws-token-file", token.toString());
        try (TlsProxy proxy = TlsProxy.start(dir, server.endpoint().getPort())) {
            URI wss = URI.create("wss://localhost:" + proxy.port());
            TransportClosedException untrusted = assertThrows(TransportClosedException.class,
                    () -> Codex.builder().connect(wss, ServerAuth.capabilityToken(token)).build());
            assertTrue(untrusted.getMessage().contains("TLS") || untrusted.getMessage().contains("SSL"),
                    untrusted.getMessage());
            offline.server().enqueue(ModelReply.message("tls ok"));
            try (Codex codex = Codex.builder().connect(wss, ServerAuth.capabilityToken(token))
                    .sslContext(proxy.clientContext()).build()) {
                assertEquals(Optional.of("tls ok"), codex.startThread().run("hi").finalResponse());
            }
        }
    }

    @Test
    void aTokenIsNeverSentInClearTextOffTheMachine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codex.builder()
                .connect(URI.create("ws://10.1.2.3:4500"), ServerAuth.capabilityToken(() -> "t")));
        assertTrue(e.getMessage().contains("wss://"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Codex.builder().connect(URI.create("http://127.0.0.1:4500")));
    }

    @Test
    void aKilledServerFailsTheRunningTurnFastAndTyped() throws Exception {
        offline.server().enqueue(ModelReply.stall());
        List<ProcessHandle> children;
        try (Codex codex = Codex.builder().launch(offline.launch()).listen(ListenAddress.webSocket()).build()) {
            children = appServers();
            CompletableFuture<RunResult> turn = codex.startThread().turn("stall").runAsync();
            await().atMost(Duration.ofSeconds(10)).until(() -> offline.server().requestCount() >= 1);
            long t0 = System.nanoTime();
            children.forEach(ProcessHandle::destroyForcibly);
            ExecutionException e = assertThrows(ExecutionException.class, () -> turn.get(5, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 1_000, "the turn failed " + ms + " ms after the kill");
            TransportClosedException closed = assertInstanceOf(TransportClosedException.class, e.getCause());
            assertEquals(137, closed.exitCode().orElseThrow(), closed.getMessage());
            assertFalse(codex.isOpen());
        }
        assertNothingLeft(children);
    }

    @Test
    void unreachableEndpointsFailTheBuildTyped() {
        TransportClosedException ws = assertThrows(TransportClosedException.class,
                () -> Codex.builder().connect(URI.create("ws://127.0.0.1:1")).build());
        assertTrue(ws.getMessage().contains("ws://127.0.0.1:1"), ws.getMessage());
        TransportClosedException unix = assertThrows(TransportClosedException.class,
                () -> Codex.builder().connect(URI.create("unix://" + dir.resolve("nobody.sock"))).build());
        assertTrue(unix.getMessage().contains("nobody.sock"), unix.getMessage());
        assertNothingLeft(List.of());
    }

    @Test
    void aSecretTooShortForTheServerIsRefusedBeforeConnecting() throws Exception {
        Path secret = dir.resolve("short");
        Files.write(secret, "short".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codex.builder()
                .connect(URI.create("ws://127.0.0.1:1"), ServerAuth.signedBearerToken().secretFile(secret).build()).build());
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }
}
