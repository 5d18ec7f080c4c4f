package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A WebSocket server for tests, on a unix socket or a loopback TCP port, that the test drives frame
 * by frame: it accepts one client, answers its opening handshake with 101 (or a refusal), then
 * sends exactly the frames the test writes and returns the client's frames unmasked.
 */
final class ScriptedWebSocketServer implements AutoCloseable {
    /** A frame as the client sent it. */
    record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, UTF_8);
        }
    }

    private final ServerSocketChannel server;
    private final CompletableFuture<SocketChannel> client = new CompletableFuture<>();
    private final CompletableFuture<Map<String, String>> requestHeaders = new CompletableFuture<>();
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20).flip();

    private ScriptedWebSocketServer(ServerSocketChannel server, int status, String body) {
        this.server = server;
        Thread.ofVirtual().name("scripted-ws-accept").start(() -> accept(status, body));
    }

    /** Listens on {@code socket}, answering the handshake with 101. */
    static ScriptedWebSocketServer unix(Path socket) throws IOException {
        return unix(socket, 101, "");
    }

    /** Listens on {@code socket}, answering the handshake with {@code status} (101: accept). */
    static ScriptedWebSocketServer unix(Path socket, int status, String body) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return new ScriptedWebSocketServer(s, status, body);
    }

    /** Listens on a loopback port, answering the handshake with {@code status} (101: accept). */
    static ScriptedWebSocketServer tcp(int status, String body) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new ScriptedWebSocketServer(s, status, body);
    }

    URI uri() throws IOException {
        InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
        return URI.create("ws://127.0.0.1:" + a.getPort() + "/");
    }

    /** @return the client's opening request's headers (lower-case names), once it came */
    Map<String, String> requestHeaders() {
        return requestHeaders.join();
    }

    private void accept(int status, String body) {
        try {
            SocketChannel ch = server.accept();
            StringBuilder head = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (!head.toString().endsWith("\r\n\r\n")) {
                one.clear();
                if (ch.read(one) < 0) {
                    throw new IOException("client left during the handshake");
                }
                head.append((char) (one.get(0) & 0xFF));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : head.toString().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
                }
            }
            requestHeaders.complete(headers);
            String response = status == 101
                    ? "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: "
                            + WebSocketFraming.acceptFor(headers.get("sec-websocket-key")) + "\r\n\r\n"
                    : "HTTP/1.1 " + status + " Refused\r\nContent-Type: text/plain\r\nContent-Length: "
                            + body.getBytes(UTF_8).length + "\r\n\r\n" + body;
            write(ch, ByteBuffer.wrap(response.getBytes(UTF_8)));
            client.complete(ch);
        } catch (IOException | RuntimeException e) {
            requestHeaders.completeExceptionally(e);
            client.completeExceptionally(e);
        }
    }

    /** @return the bytes of one server frame (unmasked, as a server sends) */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, false);
    }

    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        ByteBuffer b = ByteBuffer.allocate(payload.length + 14);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        int m = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            b.put((byte) (m | payload.length));
        } else if (payload.length <= 0xFFFF) {
            b.put((byte) (m | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (m | 127)).putLong(payload.length);
        }
        if (masked) {
            b.putInt(0); // a zero mask keeps the payload as is
        }
        b.put(payload);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static byte[] text(String s) {
        return frame(true, WebSocketFraming.OP_TEXT, s.getBytes(UTF_8));
    }

    /** Sends these bytes (frames, concatenated) in one write. */
    void send(byte[]... frames) throws IOException {
        int n = 0;
        for (byte[] f : frames) {
            n += f.length;
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (byte[] f : frames) {
            all.put(f);
        }
        write(client.join(), all.flip());
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads the client's next frame, unmasked. */
    Frame readFrame() throws IOException {
        SocketChannel ch = client.join();
        need(ch, 2);
        int b0 = in.get() & 0xFF;
        int b1 = in.get() & 0xFF;
        int len7 = b1 & 0x7F;
        long len = len7;
        if (len7 == 126) {
            need(ch, 2);
            len = in.getShort() & 0xFFFF;
        } else if (len7 == 127) {
            need(ch, 8);
            len = in.getLong();
        }
        boolean masked = (b1 & 0x80) != 0;
        int mask = 0;
        if (masked) {
            need(ch, 4);
            mask = in.getInt();
        }
        need(ch, (int) len);
        byte[] payload = new byte[(int) len];
        in.get(payload);
        WebSocketFraming.mask(payload, 0, payload.length, mask);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload);
    }

    private void need(SocketChannel ch, int n) throws IOException {
        while (in.remaining() < n) {
            in.compact();
            int r = ch.read(in);
            in.flip();
            if (r < 0) {
                throw new IOException("the client closed the socket");
            }
        }
    }

    /** Closes the client's socket without a close frame (a crash). */
    void drop() throws IOException {
        client.join().close();
    }

    @Override
    public void close() throws IOException {
        if (client.isDone() && !client.isCompletedExceptionally()) {
            client.join().close();
        }
        server.close();
    }

    static String latin1(byte[] b) {
        return new String(b, ISO_8859_1);
    }
}
