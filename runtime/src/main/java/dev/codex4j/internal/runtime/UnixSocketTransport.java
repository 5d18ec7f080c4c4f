package dev.codex4j.internal.runtime;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An app-server reached over a unix domain socket ({@code codex app-server --listen unix://PATH}).
 * The app-server speaks WebSocket on that socket too (an HTTP/1.1 upgrade, then RFC 6455 frames),
 * so the link is a {@link WebSocketTransport} over a blocking {@link SocketChannel}: the same
 * handshake, frame reader and frame writer as {@code ws://}.
 *
 * <p>A socket channel closes when a thread in an operation on it is interrupted; only the
 * dispatcher reads it and only the WebSocket writer thread writes it (see
 * {@link WebSocketFrameWriter}), so a cancelled caller cannot break the link.
 *
 * <pre>{@code
 * Transport t = UnixSocketTransport.connect(Path.of("/run/codex/app-server.sock"), LinkOptions.defaults());
 * Connection c = Connection.open(t);
 * }</pre>
 */
public final class UnixSocketTransport {
    private UnixSocketTransport() {}

    /**
     * Connects to the socket and performs the WebSocket opening handshake.
     *
     * @param socket the socket's path (a symbolic link to it is fine)
     * @param options token, timeouts and keep-alive ({@code sslContext} is not used)
     * @return the open transport
     * @throws AuthenticationException when the server refuses the handshake with 401 or 403
     * @throws TransportClosedException when nothing listens there or the handshake fails
     */
    public static WebSocketTransport connect(Path socket, LinkOptions options) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(options, "options");
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException | UnsupportedOperationException e) {
            throw new TransportClosedException("Unix domain sockets are not available here: " + e.getMessage(), null, "", e);
        }
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ChildProcess.closeQuietly(ch);
            throw new TransportClosedException("Could not connect to the app-server at unix://" + socket + ": " + e, null, "", e);
        }
        return WebSocketTransport.over(new WebSocketTransport.Socketed(new In(ch), new Out(ch), ch), "unix://" + socket,
                options, true);
    }

    /** The channel's read side as a stream, without the channel's blocking lock (a read must not hold up a write). */
    private static final class In extends InputStream {
        private final SocketChannel ch;

        In(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int r;
            do {
                r = ch.read(ByteBuffer.wrap(b, off, len));
            } while (r == 0);
            return r;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** The channel's write side as a stream. */
    private static final class Out extends OutputStream {
        private final SocketChannel ch;

        Out(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
