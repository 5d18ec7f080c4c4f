package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * An app-server reached over a WebSocket: {@code ws://} and {@code wss://} (a TCP socket, TLS for
 * {@code wss}), and a unix socket ({@link UnixSocketTransport#connect}); one JSON-RPC message per
 * text frame each way. One client for all three, in three parts with one job each: the opening
 * handshake ({@link WebSocketHandshake}), the frame reader ({@link WebSocketFrameReader}, run by
 * the connection's dispatcher, the only reader) and the frame writer ({@link WebSocketFrameWriter},
 * one virtual thread {@code codex4j-ws-writer} that writes every frame). No HTTP client: the
 * handshake's deadline covers everything from the first connect to the 101.
 *
 * <p>The link ends, and the dispatcher's read fails or ends with it, when the stream ends (the
 * reader always consumes its end), when a write fails, when the peer reads so little that the
 * writer's bound is reached, when the keep-alive finds the peer silent past its timeout, or when
 * whoever owns the server says it is gone ({@link #breakLink}: a child that exited). Pings are
 * answered (one pong waits at most), pongs and any data count as signs of life, a close frame is
 * answered and ends the stream.
 *
 * <p>A refused opening handshake (HTTP 401 or 403: a wrong, expired or missing token) is an
 * {@link AuthenticationException}; any other failure to connect a {@link TransportClosedException}.
 * No message quotes the token the SDK sent. {@link #close()} sends a close frame (waiting at most
 * 200 ms), closes the socket, which wakes the reader, and ends the writer; bounded, and no thread
 * of the transport is left.
 *
 * <pre>{@code
 * Transport t = WebSocketTransport.connect(URI.create("ws://127.0.0.1:4500"),
 *         LinkOptions.defaults().withBearer(() -> token));
 * Connection c = Connection.open(t);
 * }</pre>
 */
public final class WebSocketTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofMillis(200);

    /** A connected socket's two directions and how to close it. */
    record Socketed(InputStream in, OutputStream out, AutoCloseable socket) {}

    private final String where;
    private final AutoCloseable socket;
    private final KeepAlive keepAlive;
    private final boolean local;
    private final WebSocketFrameReader reader;
    private final WebSocketFrameWriter writer;
    private final ReentrantLock closeLock = new ReentrantLock();
    private volatile boolean closed;
    /** Why the link was broken on purpose (keep-alive, a failed write, the child's exit), for the reader's error. */
    private volatile @Nullable String brokenBecause;

    private WebSocketTransport(Socketed s, byte[] leftover, String where, KeepAlive keepAlive, boolean local) {
        this.where = where;
        this.socket = s.socket();
        this.keepAlive = keepAlive;
        this.local = local;
        this.writer = new WebSocketFrameWriter(s.out(), where, this::breakLink);
        this.reader = new WebSocketFrameReader(s.in(), leftover, where, new WebSocketFrameReader.Control() {
            @Override
            public void heard() {
                keepAlive.heard();
            }

            @Override
            public void ping(byte[] payload, int length) {
                writer.pong(payload, length);
            }

            @Override
            public void closed(byte[] payload, int length) {
                Thread.ofVirtual().name("codex4j-ws-close").start(() ->
                        writer.close(java.util.Arrays.copyOf(payload, length), CLOSE_WAIT));
            }
        });
    }

    /**
     * Connects and performs the opening handshake, sending {@code Authorization: Bearer} when the
     * options supply a token; the connect timeout bounds all of it (TCP, TLS and the upgrade).
     *
     * @param uri {@code ws://host:port[/path]} or {@code wss://...}
     * @param options token, TLS, timeouts and keep-alive
     * @return the open transport
     * @throws AuthenticationException when the server refuses the handshake with 401 or 403
     * @throws TransportClosedException when the connection or the handshake fails otherwise
     * @throws IllegalArgumentException when the URI is not {@code ws://} or {@code wss://}
     */
    public static WebSocketTransport connect(URI uri, LinkOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        OpeningDeadline deadline = new OpeningDeadline(options.connectTimeout()); // from the first step: nothing starts before it
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("A WebSocket endpoint is ws://host:port or wss://host:port, not " + uri);
        }
        boolean tls = scheme.equals("wss");
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("A WebSocket endpoint needs a host: " + uri);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        String token = options.bearer().get();
        String hostHeader = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + (uri.getPort() >= 0 ? ":" + port : "");
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Socket plain = new Socket();
        deadline.guard(plain);
        try {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            InetSocketAddress proxy = proxyFor(uri, tls, bare, port);
            plain.connect(proxy != null ? proxy : new InetSocketAddress(bare, port),
                    (int) Math.max(1, deadline.leftMillis()));
            plain.setTcpNoDelay(true);
            if (proxy != null) {
                tunnel(plain, (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port);
            }
            Socket s = plain;
            if (tls) {
                SSLContext ctx = options.sslContext() != null ? options.sslContext() : SSLContext.getDefault();
                SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, bare, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                deadline.guard(ssl);
                ssl.startHandshake();
                s = ssl;
            }
            Socketed link = new Socketed(s.getInputStream(), s.getOutputStream(), s);
            byte[] leftover = WebSocketHandshake.open(link.in(), link.out(), hostHeader, path, token, uri.toString());
            if (!deadline.done()) {
                throw new SocketTimeoutException("deadline");
            }
            return new WebSocketTransport(link, leftover, uri.toString(), options.keepAlive(), false);
        } catch (IOException | java.security.GeneralSecurityException e) {
            deadline.done();
            ChildProcess.closeQuietly(plain);
            throw failedToConnect(uri, e, deadline, options.connectTimeout());
        } catch (RuntimeException e) {
            deadline.done();
            ChildProcess.closeQuietly(plain);
            throw e;
        }
    }

    /**
     * The HTTP proxy the JVM's {@link ProxySelector} names for this endpoint (as the JDK's own
     * WebSocket client asks it: {@code http://} for ws, {@code https://} for wss), or null for a
     * direct connection. The default selector names one only when the {@code http(s).proxyHost}
     * properties say so, and never for loopback.
     */
    private static @Nullable InetSocketAddress proxyFor(URI uri, boolean tls, String host, int port) {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector == null) {
            return null;
        }
        try {
            for (Proxy p : selector.select(new URI(tls ? "https" : "http", null, host, port, null, null, null))) {
                if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress a) {
                    return a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
                }
                if (p.type() == Proxy.Type.DIRECT) {
                    return null;
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "no proxy for " + uri + ": " + e);
        }
        return null;
    }

    /** Opens an HTTP CONNECT tunnel through the proxy {@code s} is connected to. */
    private static void tunnel(Socket s, String authority) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read(); // one byte at a time: nothing of the tunnel may be read ahead
            if (b < 0 || head.length() > WebSocketHandshake.MAX_RESPONSE_HEAD) {
                throw new IOException("the proxy ended or overran its answer to CONNECT " + authority);
            }
            head.append((char) b);
        }
        String status = head.substring(0, Math.max(0, head.indexOf("\r\n")));
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[1].equals("200")) {
            throw new IOException("the proxy refused CONNECT " + authority + ": " + status);
        }
    }

    /**
     * Performs the opening handshake over a connected socket (a unix socket) and returns the link;
     * closes the socket when it fails.
     */
    static WebSocketTransport over(Socketed link, String where, LinkOptions options, boolean local) {
        OpeningDeadline deadline = new OpeningDeadline(options.connectTimeout());
        deadline.guard(link.socket());
        try {
            byte[] leftover = WebSocketHandshake.open(link.in(), link.out(), "localhost", "/", options.bearer().get(), where);
            if (!deadline.done()) {
                throw new SocketTimeoutException("deadline");
            }
            return new WebSocketTransport(link, leftover, where, options.keepAlive(), local);
        } catch (IOException e) {
            deadline.done();
            ChildProcess.closeQuietly(link.socket());
            throw failedToConnect(where, e, deadline, options.connectTimeout());
        } catch (RuntimeException e) {
            deadline.done();
            ChildProcess.closeQuietly(link.socket());
            throw e;
        }
    }

    private static CodexException failedToConnect(Object where, Exception e, OpeningDeadline deadline, Duration timeout) {
        if (deadline.expired()) {
            return new TransportClosedException("No WebSocket handshake with " + where + " within "
                    + timeout.toMillis() + " ms", null, "", e);
        }
        String what = e instanceof SocketTimeoutException ? "timed out"
                : e instanceof ConnectException ? "connection refused"
                : e instanceof SSLException ? "TLS failed" : e.getClass().getSimpleName();
        return new TransportClosedException(Secrets.scrub("Could not connect to the app-server at " + where + " ("
                + what + "): " + e.getMessage()), null, "", e);
    }

    /** The opening's deadline: a virtual thread closes the socket at it, which ends any blocked step. */
    private static final class OpeningDeadline {
        private final long end;
        private final ReentrantLock lock = new ReentrantLock();
        private @Nullable AutoCloseable socket;
        private @Nullable Thread timer;
        private boolean finished;
        private boolean expired;

        OpeningDeadline(Duration timeout) {
            this.end = System.nanoTime() + timeout.toNanos();
        }

        long leftMillis() {
            return Math.max(0, (end - System.nanoTime()) / 1_000_000);
        }

        void guard(AutoCloseable s) {
            lock.lock();
            try {
                socket = s;
                if (timer == null) {
                    timer = Thread.ofVirtual().name("codex4j-ws-handshake-deadline").start(this::await);
                }
            } finally {
                lock.unlock();
            }
        }

        private void await() {
            try {
                long left = end - System.nanoTime();
                if (left > 0) {
                    Thread.sleep(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                return;
            }
            lock.lock();
            try {
                if (finished) {
                    return;
                }
                expired = true;
                ChildProcess.closeQuietly(socket);
            } finally {
                lock.unlock();
            }
        }

        /** Ends the watch. @return false when the deadline passed first */
        boolean done() {
            Thread t;
            lock.lock();
            try {
                finished = true;
                t = timer;
            } finally {
                lock.unlock();
            }
            if (t != null) {
                t.interrupt();
            }
            return !expired;
        }

        boolean expired() {
            lock.lock();
            try {
                return expired;
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- reading (the dispatcher)

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            int n = reader.read(b, off, len);
            if (n < 0 && brokenBecause != null && !closed) {
                throw new IOException(brokenBecause);
            }
            return n;
        } catch (IOException e) {
            String why = brokenBecause;
            if (why != null && !why.equals(e.getMessage())) {
                throw new IOException(why, e);
            }
            if (closed && why == null) {
                throw new IOException("transport closed", e);
            }
            throw e;
        }
    }

    @Override
    public int available() {
        return reader.available();
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void writeLine(String line) throws IOException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a JSONL line must not contain a line terminator");
        }
        if (closed) {
            throw new LinkClosedException("transport closed");
        }
        String why = brokenBecause;
        if (why != null) {
            throw new LinkClosedException(why);
        }
        writer.write(line.getBytes(UTF_8));
    }

    /**
     * Ends the link on purpose: the reader's next read fails with {@code why} (so that every waiter
     * fails), and every write after it. Idempotent; never blocks.
     */
    void breakLink(String why) {
        if (closed || brokenBecause != null) {
            return;
        }
        brokenBecause = why;
        LOG.log(Level.DEBUG, () -> where + ": " + why);
        ChildProcess.closeQuietly(socket);
    }

    /** @return whether the writer thread has ended (after close), for tests */
    boolean threadsEnded() {
        return writer.ended();
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
        String dead = keepAlive.check(System.nanoTime(), writer::ping, false);
        if (dead != null) {
            breakLink(dead);
        }
    }

    @Override
    public boolean isLocal() {
        return local;
    }

    @Override
    public String describe() {
        return "app-server at " + where;
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (brokenBecause == null) {
                byte[] normal = {(byte) (WebSocketFraming.CLOSE_NORMAL >> 8), (byte) WebSocketFraming.CLOSE_NORMAL};
                writer.close(normal, CLOSE_WAIT);
            }
        } finally {
            ChildProcess.closeQuietly(socket);
            writer.stop();
            closeLock.unlock();
        }
    }
}
