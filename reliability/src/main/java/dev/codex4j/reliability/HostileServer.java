package dev.codex4j.reliability;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

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
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket server on loopback, over TCP or a unix socket, that does to the SDK what a hostile or
 * broken peer would: it accepts one client, reads its opening request, and hands the socket and the
 * request's head to a {@link Behaviour} (accept and flood it with pings, refuse it quoting the
 * request, say nothing...).
 *
 * <pre>{@code
 * try (HostileServer s = HostileServer.tcp((ch, head) -> HostileServer.accept(ch, head))) {
 *     Transport t = WebSocketTransport.connect(s.uri(), LinkOptions.defaults());
 * }
 * }</pre>
 */
public final class HostileServer implements AutoCloseable {
    /** What the server does with its one client. */
    @FunctionalInterface
    public interface Behaviour {
        /** Runs on the server's thread; {@code head} is the client's request head. */
        void run(SocketChannel client, String head) throws Exception;
    }

    private static final Pattern KEY = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)");

    private final ServerSocketChannel server;
    private final CompletableFuture<SocketChannel> client = new CompletableFuture<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Thread thread;

    private HostileServer(ServerSocketChannel server, Behaviour behaviour, boolean readHead) {
        this.server = server;
        this.thread = Thread.ofVirtual().name("hostile-server").start(() -> serve(behaviour, readHead));
    }

    /** @return a server on a loopback TCP port */
    public static HostileServer tcp(Behaviour behaviour) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new HostileServer(s, behaviour, true);
    }

    /** @return a server on a loopback TCP port that reads nothing at all (not even the request) */
    public static HostileServer silentTcp() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new HostileServer(s, (ch, head) -> Thread.sleep(60_000), false);
    }

    /** @return a server on a unix socket at {@code path} */
    public static HostileServer unix(Path path, Behaviour behaviour) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        return new HostileServer(s, behaviour, true);
    }

    /** @return the {@code ws://} URI of a TCP server */
    public URI uri() throws IOException {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort() + "/");
    }

    /** @return completes when the behaviour has returned (or failed) */
    public CompletableFuture<Void> done() {
        return done;
    }

    private void serve(Behaviour behaviour, boolean readHead) {
        try (SocketChannel ch = server.accept()) {
            client.complete(ch);
            String head = readHead ? readHead(ch) : "";
            behaviour.run(ch, head);
            done.complete(null);
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
    }

    private static String readHead(SocketChannel ch) throws IOException {
        StringBuilder head = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (head.length() < 65_536 && !head.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("the client went away during its request");
            }
            head.append((char) (one.get(0) & 0xFF));
        }
        return head.toString();
    }

    /** Accepts the opening handshake (101 with the right accept key). */
    public static void accept(SocketChannel ch, String head) throws Exception {
        Matcher m = KEY.matcher(head);
        if (!m.find()) {
            throw new IOException("no Sec-WebSocket-Key in " + head);
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((m.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(US_ASCII)));
        write(ch, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(ISO_8859_1));
    }

    /** Refuses the opening handshake with {@code status}, quoting the whole request in the body (a debug server). */
    public static void refuseEchoing(SocketChannel ch, String head, int status) throws IOException {
        byte[] body = ("your request was:\n" + head).getBytes(ISO_8859_1);
        write(ch, ("HTTP/1.1 " + status + " Refused\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(ISO_8859_1));
        write(ch, body);
    }

    /** Writes all of {@code bytes}. */
    public static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** @return an unmasked server text frame holding {@code text} (under 64 KiB) */
    public static byte[] text(String text) {
        byte[] p = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer f = ByteBuffer.allocate(p.length + 4);
        f.put((byte) 0x81);
        if (p.length <= 125) {
            f.put((byte) p.length);
        } else {
            f.put((byte) 126).putShort((short) p.length);
        }
        f.put(p);
        return java.util.Arrays.copyOf(f.array(), f.position());
    }

    /** Reads and drops whatever the client sends until it goes away. */
    public static void drain(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (ch.read(b.clear()) >= 0) {
            // dropped
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // best effort
        }
        client.thenAccept(c -> {
            try {
                c.close();
            } catch (IOException e) {
                // best effort
            }
        });
        thread.interrupt();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
