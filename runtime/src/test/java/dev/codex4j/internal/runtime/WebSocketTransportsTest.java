package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.TransportClosedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both WebSocket transports (the JDK's client over TCP, ours over a unix socket) against a scripted
 * server: messages become lines, fragments are reassembled, control frames are handled, refusals
 * are typed.
 */
@Timeout(30)
class WebSocketTransportsTest {
    private static final LinkOptions LINK = LinkOptions.defaults().withConnectTimeout(Duration.ofSeconds(5));

    enum Kind { UNIX, TCP }

    @TempDir
    Path dir;

    private ScriptedWebSocketServer server(Kind kind, int status, String body) throws IOException {
        return kind == Kind.UNIX ? ScriptedWebSocketServer.unix(dir.resolve("s.sock"), status, body)
                : ScriptedWebSocketServer.tcp(status, body);
    }

    private Transport connect(Kind kind, ScriptedWebSocketServer s, LinkOptions options) throws IOException {
        return kind == Kind.UNIX ? UnixSocketTransport.connect(dir.resolve("s.sock"), options)
                : WebSocketTransport.connect(s.uri(), options);
    }

    /** Reads until {@code count} lines are complete. */
    private static List<String> lines(Transport t, int count) throws IOException {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (out.size() < count) {
            int n = t.read(buf, 0, buf.length);
            if (n < 0) {
                throw new IOException("end of stream after " + out);
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    out.add(line.toString(UTF_8));
                    line.reset();
                } else {
                    line.write(buf[i]);
                }
            }
        }
        return out;
    }

    /** A read on a virtual thread: its count, or -2 when it threw. */
    private static CompletableFuture<Integer> readInBackground(Transport t) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return t.read(new byte[16], 0, 16);
            } catch (IOException e) {
                return -2;
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void fragmentedMessagesAndRawLineBreaksComeOutAsOneLineEach(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            byte[] smile = "\"\uD83D\uDE00\"}".getBytes(UTF_8); // a 4-byte character, split across frames below
            s.send(ScriptedWebSocketServer.frame(false, WebSocketFraming.OP_TEXT, "{\"a\":".getBytes(UTF_8)),
                    ScriptedWebSocketServer.frame(true, WebSocketFraming.OP_PING, "p".getBytes(UTF_8)),
                    ScriptedWebSocketServer.frame(false, WebSocketFraming.OP_CONTINUATION, java.util.Arrays.copyOf(smile, 3)),
                    ScriptedWebSocketServer.frame(true, WebSocketFraming.OP_CONTINUATION,
                            java.util.Arrays.copyOfRange(smile, 3, smile.length)),
                    ScriptedWebSocketServer.text("{\n  \"b\": 2\r\n}"));
            assertEquals(List.of("{\"a\":\"\uD83D\uDE00\"}", "{   \"b\": 2  }"), lines(t, 2));
            ScriptedWebSocketServer.Frame pong = s.readFrame();
            assertEquals(WebSocketFraming.OP_PONG, pong.opcode(), "the ping between fragments was answered");
            assertEquals("p", pong.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void linesGoOutAsMaskedTextFrames(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            String big = "{\"x\":\"" + "y".repeat(70_000) + "\"}";
            t.writeLine("{\"id\":1,\"method\":\"initialize\"}");
            t.writeLine(big);
            ScriptedWebSocketServer.Frame first = s.readFrame();
            assertTrue(first.fin() && first.masked(), "a whole, masked frame");
            assertEquals(WebSocketFraming.OP_TEXT, first.opcode());
            assertEquals("{\"id\":1,\"method\":\"initialize\"}", first.text());
            StringBuilder second = new StringBuilder();
            ScriptedWebSocketServer.Frame f;
            do {
                f = s.readFrame();
                second.append(f.text());
            } while (!f.fin());
            assertEquals(big, second.toString());
            assertThrows(IllegalArgumentException.class, () -> t.writeLine("two\nlines"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBearerTokenIsSentInTheOpeningHandshake(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, "");
                Transport t = connect(kind, s, LINK.withBearer(() -> "tok-123"))) {
            assertEquals("Bearer tok-123", s.requestHeaders().get("authorization"));
            assertFalse(t.describe().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRefusedHandshakeIsAnAuthenticationErrorThatQuotesTheServer(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 401, "invalid websocket bearer token")) {
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> connect(kind, s, LINK.withBearer(() -> "wrong")));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
            assertTrue(e.getMessage().contains("\"invalid websocket bearer token\""), e.getMessage());
            assertTrue(e.getMessage().contains("bearer token was refused"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anotherRefusalIsATransportError(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 404, "no such path")) {
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> connect(kind, s, LINK));
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCloseFrameEndsTheStreamAfterWhatCameBefore(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            s.send(ScriptedWebSocketServer.text("{\"last\":true}"),
                    ScriptedWebSocketServer.frame(true, WebSocketFraming.OP_CLOSE, new byte[] {0x03, (byte) 0xE8}));
            assertEquals(List.of("{\"last\":true}"), lines(t, 1));
            assertEquals(-1, t.read(new byte[16], 0, 16));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRefusalThatEchoesTheTokenDoesNotQuoteIt(Kind kind) throws Exception {
        String token = "cap-" + "0123456789abcdefghij";
        try (ScriptedWebSocketServer s = server(kind, 401, "you sent: Authorization: Bearer " + token + " (refused)")) {
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> connect(kind, s, LINK.withBearer(() -> token)));
            assertFalse(e.getMessage().contains(token), e.getMessage());
            assertTrue(e.getMessage().contains("Bearer ***"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theEndOfTheStreamInsideAFrameEndsTheLink(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            byte[] whole = ScriptedWebSocketServer.text("{\"cut\":\"" + "x".repeat(200) + "\"}");
            s.send(java.util.Arrays.copyOf(whole, 40)); // a header that announces more than ever comes
            s.drop();
            byte[] buf = new byte[1024];
            int got = 0;
            int n;
            while ((n = t.read(buf, 0, buf.length)) >= 0) {
                got += n;
            }
            assertEquals(-1, n, "the end of the stream ends the link");
            assertTrue(got < 40, "what came of the frame, and nothing more: " + got);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aWriteOnABrokenLinkLeavesNothingAndSaysSo(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            ((WebSocketTransport) t).breakLink("the app-server pid 4242 exited");
            LinkClosedException e = assertThrows(LinkClosedException.class, () -> t.writeLine("{\"id\":1}"));
            assertTrue(e.getMessage().contains("exited"), e.getMessage());
            IOException read = assertThrows(IOException.class, () -> t.read(new byte[16], 0, 16));
            assertTrue(read.getMessage().contains("exited"), read.getMessage());
        }
    }

    @Test
    void theJvmsHttpProxyIsReachedWithConnect() throws Exception {
        java.net.ProxySelector before = java.net.ProxySelector.getDefault();
        try (ScriptedWebSocketServer s = server(Kind.TCP, 101, "");
                java.net.ServerSocket proxy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> asked = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket in = proxy.accept();
                        java.net.Socket out = new java.net.Socket(s.uri().getHost(), s.uri().getPort())) {
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) in.getInputStream().read());
                    }
                    asked.complete(head.substring(0, head.indexOf("\r\n")));
                    in.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(UTF_8));
                    Thread a = Thread.ofVirtual().start(() -> pipe(in, out));
                    pipe(out, in);
                    a.join();
                } catch (Exception e) {
                    asked.completeExceptionally(e);
                }
            });
            java.net.ProxySelector.setDefault(java.net.ProxySelector.of(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), proxy.getLocalPort())));
            try (Transport t = WebSocketTransport.connect(s.uri(), LINK)) {
                assertEquals("CONNECT 127.0.0.1:" + s.uri().getPort() + " HTTP/1.1", asked.get(5, java.util.concurrent.TimeUnit.SECONDS));
                s.send(ScriptedWebSocketServer.text("{\"through\":\"the proxy\"}"));
                assertEquals(List.of("{\"through\":\"the proxy\"}"), lines(t, 1));
            }
        } finally {
            java.net.ProxySelector.setDefault(before);
        }
    }

    private static void pipe(java.net.Socket from, java.net.Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDroppedSocketEndsTheStream(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            CompletableFuture<Integer> read = readInBackground(t);
            s.drop();
            int r = read.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(r < 0, "the blocked read ended: " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closeWakesABlockedReader(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, "")) {
            Transport t = connect(kind, s, LINK);
            CompletableFuture<Integer> read = readInBackground(t);
            long start = System.nanoTime();
            t.close();
            assertTrue(read.get(5, java.util.concurrent.TimeUnit.SECONDS) < 0);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "close is bounded");
            assertTrue(((WebSocketTransport) t).threadsEnded(),
                    "no thread of the transport is left");
            assertThrows(IOException.class, () -> t.writeLine("{}"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anInterruptedWriterDoesNotBreakTheLink(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                Thread.currentThread().interrupt(); // as a user's cancelled task would be
                try {
                    t.writeLine("{\"id\":1}");
                } catch (IOException e) {
                    interruptedAfter.completeExceptionally(e);
                }
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            });
            assertTrue(interruptedAfter.get(5, java.util.concurrent.TimeUnit.SECONDS), "the interrupt is kept for the caller");
            assertEquals("{\"id\":1}", s.readFrame().text());
            t.writeLine("{\"id\":2}");
            assertEquals("{\"id\":2}", s.readFrame().text());
            s.send(ScriptedWebSocketServer.text("{\"still\":\"open\"}"));
            assertEquals(List.of("{\"still\":\"open\"}"), lines(t, 1));
        }
    }

    @Test
    void oneReadReturnsEveryMessageAlreadyThereOverAUnixSocket() throws Exception {
        try (ScriptedWebSocketServer s = server(Kind.UNIX, 101, ""); Transport t = connect(Kind.UNIX, s, LINK)) {
            s.send(ScriptedWebSocketServer.text("{\"n\":1}"), ScriptedWebSocketServer.text("{\"n\":2}"),
                    ScriptedWebSocketServer.text("{\"n\":3}"));
            byte[] buf = new byte[8192];
            int n = t.read(buf, 0, buf.length);
            assertEquals("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", new String(buf, 0, n, UTF_8));
            assertEquals(0, t.available());
        }
    }

    @Test
    void aMaskedServerFrameIsAProtocolError() throws Exception {
        try (ScriptedWebSocketServer s = server(Kind.UNIX, 101, ""); Transport t = connect(Kind.UNIX, s, LINK)) {
            s.send(ScriptedWebSocketServer.frame(true, WebSocketFraming.OP_TEXT, "{}".getBytes(UTF_8), true));
            IOException e = assertThrows(IOException.class, () -> t.read(new byte[16], 0, 16));
            assertTrue(e.getMessage().contains("masked"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReaderThatLagsHoldsTheServerBack(Kind kind) throws Exception {
        try (ScriptedWebSocketServer s = server(kind, 101, ""); Transport t = connect(kind, s, LINK)) {
            int messages = 256;
            String body = "{\"pad\":\"" + "z".repeat(64 * 1024) + "\"}";
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < messages; i++) {
                        s.send(ScriptedWebSocketServer.text(body));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(writer::isAlive);
            assertTrue(t.available() < 128 * 1024, "nothing is read ahead of the reader: " + t.available());
            List<String> got = lines(t, messages);
            assertEquals(messages, got.size());
            assertTrue(got.stream().allMatch(body::equals), "every message whole and in order");
            writer.join(Duration.ofSeconds(5));
        }
    }
}
