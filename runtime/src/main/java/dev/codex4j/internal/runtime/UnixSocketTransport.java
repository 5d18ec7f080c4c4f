package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * An app-server reached over a unix domain socket ({@code codex app-server --listen unix://PATH}).
 * The app-server speaks WebSocket on that socket too (an HTTP/1.1 upgrade, then RFC 6455 frames,
 * one JSON-RPC message per text frame), and the JDK's HTTP client cannot reach a unix socket, so
 * this transport is a small WebSocket client over a blocking {@link SocketChannel}.
 *
 * <p>The dispatcher's {@link #read} parses frames straight from the channel: a data frame's payload
 * is copied into the dispatcher's buffer (line breaks blanked), a {@code \n} follows the last frame
 * of each message, so fragmented messages come out as one line. A read returns what is buffered
 * without blocking again, and {@link #available()} counts the payload bytes a read can return
 * without touching the channel. Pings are answered, pongs and any data count as signs of life,
 * a close frame is answered and ends the stream. Client frames are masked, as RFC 6455 requires
 * and the app-server checks.
 *
 * <p>A socket channel is interruptible: a thread interrupted in a channel operation closes the
 * channel. So only two threads ever touch it: the dispatcher reads (and is interrupted only by a
 * close that gave up waiting for it), and one writer thread of this transport
 * ({@code codex4j-unix-writer}, virtual, never interrupted but by {@link #close()}) writes every
 * frame. A caller of {@link #writeLine} hands its frame over and waits, uninterruptibly, for the
 * write, so a cancelled caller cannot break the link; pongs and pings are handed over without
 * waiting, so the reader never blocks on the write side. {@link #close()} sends a close frame
 * (waiting at most 200 ms), closes the channel, which wakes the reader, and ends the writer;
 * bounded, and no thread of the transport is left.
 *
 * <pre>{@code
 * Transport t = UnixSocketTransport.connect(Path.of("/run/codex/app-server.sock"), LinkOptions.defaults());
 * Connection c = Connection.open(t);
 * }</pre>
 */
public final class UnixSocketTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(UnixSocketTransport.class.getName());
    private static final int READ_BUFFER = 1 << 16;
    private static final int MAX_RESPONSE_HEAD = 16 * 1024;
    private static final Duration CLOSE_WAIT = Duration.ofMillis(200);
    private static final Duration THREAD_WAIT = Duration.ofSeconds(2);

    private final SocketChannel channel;
    private final Path path;
    private final KeepAlive keepAlive;
    /** The only thread that writes to the channel. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("codex4j-unix-writer").factory());
    private final ReentrantLock closeLock = new ReentrantLock();
    private volatile boolean closed;
    /** Why the link was broken on purpose (the keep-alive), for the reader's error. */
    private volatile @Nullable String brokenBecause;

    // The dispatcher's own (the only reader): the bytes read and not yet consumed are in[position, limit).
    private final ByteBuffer in;
    private long payloadLeft;
    private boolean inDataFrame;
    private boolean dataFrameFin;
    private boolean messageOpen;
    private boolean newlineOwed;
    private boolean peerClosed;
    private final byte[] control = new byte[125];

    private UnixSocketTransport(SocketChannel channel, Path path, ByteBuffer leftover, KeepAlive keepAlive) {
        this.channel = channel;
        this.path = path;
        this.keepAlive = keepAlive;
        this.in = ByteBuffer.allocateDirect(Math.max(READ_BUFFER, leftover.remaining()));
        in.put(leftover).flip();
    }

    /**
     * Connects to the socket and performs the WebSocket opening handshake.
     *
     * @param socket the socket's path (a symbolic link to it is fine)
     * @param options token, timeouts and keep-alive ({@code sslContext} is not used)
     * @return the open transport
     * @throws AuthenticationException when the server refuses the handshake with 401 or 403
     * @throws TransportClosedException when nothing listens there or the handshake fails
     */
    public static UnixSocketTransport connect(Path socket, LinkOptions options) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(options, "options");
        String token = options.bearer().get();
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException | UnsupportedOperationException e) {
            throw new TransportClosedException("Unix domain sockets are not available here: " + e.getMessage(), null, "", e);
        }
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer leftover = handshake(ch, socket, token, options.connectTimeout());
            return new UnixSocketTransport(ch, socket, leftover, options.keepAlive());
        } catch (IOException e) {
            StdioTransport.closeQuietly(ch);
            throw new TransportClosedException("Could not connect to the app-server at unix://" + socket + ": " + e, null, "", e);
        } catch (RuntimeException e) {
            StdioTransport.closeQuietly(ch);
            throw e;
        }
    }

    /** The opening handshake, bounded by {@code timeout}; returns the bytes that came after the response's head. */
    private static ByteBuffer handshake(SocketChannel ch, Path socket, @Nullable String token, Duration timeout)
            throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer head = ByteBuffer.allocate(MAX_RESPONSE_HEAD);
        ch.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            SelectionKey sk = ch.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(UTF_8));
            while (out.hasRemaining()) {
                await(selector, deadline, socket);
                ch.write(out);
            }
            sk.interestOps(SelectionKey.OP_READ);
            int end;
            while ((end = headEnd(head)) < 0) {
                if (!head.hasRemaining()) {
                    throw new IOException("the response to the WebSocket handshake has no end of its head within "
                            + MAX_RESPONSE_HEAD + " bytes");
                }
                await(selector, deadline, socket);
                if (ch.read(head) < 0) {
                    throw new IOException("the app-server closed the socket during the WebSocket handshake");
                }
            }
            String[] lines = new String(head.array(), 0, end, ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
                }
            }
            int status = status(lines[0]);
            head.flip().position(end + 4);
            if (status != 101) {
                String body = body(ch, selector, head, headers, deadline, socket);
                throw WebSocketTransport.handshakeRefused("unix://" + socket, status, body, token != null, null);
            }
            if (!"websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""))
                    || !WebSocketFraming.acceptFor(key).equals(headers.get("sec-websocket-accept"))) {
                throw new IOException("the app-server's answer is not a WebSocket upgrade: " + lines[0] + " " + headers);
            }
            sk.cancel();
            selector.selectNow();
        }
        ch.configureBlocking(true);
        return head.slice();
    }

    private static void await(Selector selector, long deadline, Path socket) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))) == 0 && System.nanoTime() >= deadline) {
            throw new IOException("no WebSocket handshake with unix://" + socket + " in time");
        }
        selector.selectedKeys().clear();
    }

    private static int headEnd(ByteBuffer head) {
        byte[] b = head.array();
        for (int i = 3; i < head.position(); i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }

    private static int status(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        try {
            return Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
    }

    /** Up to 2 KiB of a refusal's body, for the error message; best effort. */
    private static String body(SocketChannel ch, Selector selector, ByteBuffer head, Map<String, String> headers,
            long deadline, Path socket) {
        int length;
        try {
            length = Math.min(2048, Integer.parseInt(headers.getOrDefault("content-length", "0")));
        } catch (NumberFormatException e) {
            length = 0;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        while (head.hasRemaining() && body.hasRemaining()) {
            body.put(head.get());
        }
        try {
            while (body.hasRemaining()) {
                await(selector, deadline, socket);
                if (ch.read(body) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            // what came is enough for the message
        }
        return new String(body.array(), 0, body.position(), UTF_8);
    }

    // ---------------------------------------------------------------- reading (the dispatcher)

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (peerClosed) {
            return -1;
        }
        int n = 0;
        try {
            while (n < len) {
                if (newlineOwed) {
                    b[off + n++] = '\n';
                    newlineOwed = false;
                } else if (inDataFrame) {
                    if (!in.hasRemaining()) {
                        if (n > 0 || !fill()) {
                            break;
                        }
                        continue;
                    }
                    int k = (int) Math.min(Math.min(payloadLeft, in.remaining()), len - n);
                    in.get(b, off + n, k);
                    WebSocketFraming.blankLineBreaks(b, off + n, off + n + k);
                    n += k;
                    payloadLeft -= k;
                    if (payloadLeft == 0) {
                        endDataFrame();
                    }
                } else if (!nextFrame()) {
                    if (peerClosed || n > 0 || !fill()) {
                        break;
                    }
                }
            }
        } catch (ClosedChannelException e) {
            throw broken(e, "reading");
        } catch (IOException e) {
            String why = brokenBecause;
            throw why == null ? e : new IOException(why, e);
        }
        return n == 0 ? -1 : n;
    }

    private IOException broken(ClosedChannelException e, String doing) {
        String why = brokenBecause;
        if (why != null) {
            return new IOException(why, e);
        }
        return new IOException(closed ? "transport closed" : "the socket was closed"
                + (e instanceof AsynchronousCloseException ? " while " + doing : ""), e);
    }

    /** Reads more from the channel (blocking); false at its end. Keeps unconsumed bytes. */
    private boolean fill() throws IOException {
        in.compact();
        int r;
        try {
            r = channel.read(in);
        } finally {
            in.flip();
        }
        if (r < 0) {
            return false;
        }
        keepAlive.heard();
        return true;
    }

    private void endDataFrame() {
        inDataFrame = false;
        if (dataFrameFin) {
            messageOpen = false;
            newlineOwed = true;
        }
    }

    /**
     * Consumes the next frame's header if it is all buffered (a control frame: header and payload,
     * handled here). Returns false when more bytes are needed or the peer closed.
     */
    private boolean nextFrame() throws IOException {
        int p = in.position();
        int avail = in.remaining();
        if (avail < 2) {
            return false;
        }
        int b0 = in.get(p) & 0xFF;
        int b1 = in.get(p + 1) & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            throw protocolError("reserved bits set (no extension was agreed)");
        }
        if ((b1 & 0x80) != 0) {
            throw protocolError("a masked frame from the server");
        }
        int len7 = b1 & 0x7F;
        int headerLen = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        if (avail < headerLen) {
            return false;
        }
        long length = len7 == 126 ? in.getShort(p + 2) & 0xFFFF : len7 == 127 ? in.getLong(p + 2) : len7;
        if (length < 0) {
            throw protocolError("a frame length over 2^63");
        }
        if (opcode >= 0x8) {
            if (!fin || length > 125) {
                throw protocolError("a fragmented or long control frame");
            }
            if (avail < headerLen + length) {
                return false; // fill() compacts first, so the frame fits
            }
            in.position(p + headerLen);
            in.get(control, 0, (int) length);
            control(opcode, (int) length);
            return !peerClosed;
        }
        switch (opcode) {
            case WebSocketFraming.OP_TEXT, WebSocketFraming.OP_BINARY -> {
                if (messageOpen) {
                    throw protocolError("a new message before the last one ended");
                }
                messageOpen = true;
            }
            case WebSocketFraming.OP_CONTINUATION -> {
                if (!messageOpen) {
                    throw protocolError("a continuation frame outside a message");
                }
            }
            default -> throw protocolError("unknown opcode " + opcode);
        }
        in.position(p + headerLen);
        dataFrameFin = fin;
        payloadLeft = length;
        inDataFrame = true;
        if (length == 0) {
            endDataFrame();
        }
        return true;
    }

    private void control(int opcode, int length) {
        switch (opcode) {
            case WebSocketFraming.OP_PING -> sendControl(WebSocketFraming.OP_PONG, control, length);
            case WebSocketFraming.OP_PONG -> keepAlive.heard();
            case WebSocketFraming.OP_CLOSE -> {
                peerClosed = true;
                sendControl(WebSocketFraming.OP_CLOSE, control, Math.min(length, 2));
            }
            default -> { }
        }
    }

    private IOException protocolError(String what) {
        return new IOException("WebSocket protocol error from the app-server at unix://" + path + ": " + what);
    }

    @Override
    public int available() {
        if (newlineOwed) {
            return 1;
        }
        if (inDataFrame) {
            return (int) Math.min(payloadLeft, in.remaining());
        }
        // A data frame's header followed by some of its payload is readable too.
        int p = in.position();
        int avail = in.remaining();
        if (avail < 3) {
            return 0;
        }
        int b0 = in.get(p) & 0xFF;
        int len7 = in.get(p + 1) & 0x7F;
        if ((b0 & 0x0F) >= 0x8 || len7 == 0) {
            return 0; // a control frame, or an empty one: let read() look, it may block
        }
        int headerLen = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        return avail > headerLen ? 1 : 0;
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void writeLine(String line) throws IOException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a JSONL line must not contain a line terminator");
        }
        byte[] payload = line.getBytes(UTF_8);
        if (closed) {
            throw new IOException("transport closed");
        }
        Future<?> written;
        try {
            written = writer.submit(() -> {
                writeFrame(WebSocketFraming.OP_TEXT, payload, payload.length);
                return null;
            });
        } catch (RejectedExecutionException e) {
            throw new IOException("transport closed", e);
        }
        awaitWrite(written);
    }

    /** Waits for the writer, not interruptibly (see the class comment); {@link #close()} ends the wait. */
    private void awaitWrite(Future<?> written) throws IOException {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    written.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (CancellationException e) {
                    throw new IOException("transport closed", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof ClosedChannelException closedChannel) {
                        throw broken(closedChannel, "writing");
                    }
                    throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** On the writer thread. Masks {@code payload} in place. */
    private void writeFrame(int opcode, byte[] payload, int length) throws IOException {
        int mask = ThreadLocalRandom.current().nextInt();
        ByteBuffer header = ByteBuffer.allocate(14);
        header.put((byte) (0x80 | opcode));
        if (length <= 125) {
            header.put((byte) (0x80 | length));
        } else if (length <= 0xFFFF) {
            header.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            header.put((byte) (0x80 | 127)).putLong(length);
        }
        header.putInt(mask).flip();
        WebSocketFraming.mask(payload, 0, length, mask);
        ByteBuffer[] frame = {header, ByteBuffer.wrap(payload, 0, length)};
        while (frame[1].hasRemaining() || header.hasRemaining()) {
            channel.write(frame);
        }
    }

    /** Hands a control frame to the writer without waiting for it. */
    private @Nullable Future<?> sendControl(int opcode, byte[] payload, int length) {
        byte[] copy = java.util.Arrays.copyOf(payload, length);
        try {
            return writer.submit(() -> {
                try {
                    writeFrame(opcode, copy, length);
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "could not send a control frame to unix://" + path + ": " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            return null; // closed
        }
    }

    /** @return whether the writer thread has ended (after close), for tests */
    boolean threadsEnded() {
        return writer.isTerminated();
    }

    @Override
    public Duration heartbeatPeriod() {
        return keepAlive.period();
    }

    @Override
    public void heartbeat() {
        if (closed) {
            return;
        }
        String dead = keepAlive.check(System.nanoTime(), () -> sendControl(WebSocketFraming.OP_PING, control, 0), false);
        if (dead != null) {
            LOG.log(Level.DEBUG, () -> "unix://" + path + ": " + dead);
            brokenBecause = dead;
            StdioTransport.closeQuietly(channel);
        }
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public String describe() {
        return "app-server at unix://" + path;
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            byte[] normal = {(byte) (WebSocketFraming.CLOSE_NORMAL >> 8), (byte) WebSocketFraming.CLOSE_NORMAL};
            Future<?> goodbye = sendControl(WebSocketFraming.OP_CLOSE, normal, 2);
            writer.shutdown();
            if (goodbye != null) {
                goodbye.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // a writer blocked on a full socket, or a peer that is gone: closing ends it either way
        } finally {
            StdioTransport.closeQuietly(channel);
            writer.shutdownNow();
            try {
                if (!writer.awaitTermination(THREAD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.DEBUG, () -> "the writer of unix://" + path + " did not stop within " + THREAD_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeLock.unlock();
        }
    }

}
