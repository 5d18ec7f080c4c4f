package dev.codex4j.internal.runtime;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * An app-server reached over a WebSocket ({@code ws://} or {@code wss://}), with the JDK's
 * {@link java.net.http.WebSocket}: one JSON-RPC message per text frame each way.
 *
 * <p>Inbound, the WebSocket's listener (one call at a time, on a virtual thread of this transport's
 * executor) encodes each message's text to UTF-8 into an inbox, line breaks blanked and a
 * {@code \n} after the message's last part, so fragmented messages are reassembled in order and the
 * dispatcher reads lines as from a pipe: everything buffered in one {@link #read}. Back-pressure:
 * the listener asks the WebSocket for the next message only while the inbox holds less than
 * 1 MiB; past that, the dispatcher asks again once it has read the inbox down
 * to half. Outbound, one text frame per line, one send at a time (the JDK allows no more).
 *
 * <p>Liveness: when the peer has been silent for the keep-alive interval a ping goes out, and when it
 * stays silent past the timeout the link is aborted, so that every waiter fails. A refused opening
 * handshake (HTTP 401 or 403: a wrong, expired or missing token) is an
 * {@link AuthenticationException}; any other failure to connect a {@link TransportClosedException}.
 *
 * <p>{@link #close()} sends a close frame (waiting at most 200 ms), aborts the WebSocket, and shuts
 * the HTTP client and its threads down (bounded); afterwards no thread of this transport is left.
 *
 * <pre>{@code
 * Transport t = WebSocketTransport.connect(URI.create("ws://127.0.0.1:4500"),
 *         LinkOptions.defaults().withBearer(() -> token));
 * Connection c = Connection.open(t);
 * }</pre>
 */
public final class WebSocketTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());
    /** Inbox bytes past which no further message is asked for until the dispatcher catches up. */
    static final int HIGH_WATER = 1 << 20;
    private static final int INITIAL_INBOX = 1 << 16;
    private static final Duration CLOSE_WAIT = Duration.ofMillis(200);
    private static final Duration THREAD_WAIT = Duration.ofSeconds(2);

    private final URI uri;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Inbox inbox = new Inbox();
    private final KeepAlive keepAlive;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock closeLock = new ReentrantLock();
    /** Set once the opening handshake is done (before any read or write). */
    private volatile @Nullable WebSocket ws;
    private volatile boolean closed;

    private WebSocketTransport(URI uri, HttpClient client, ExecutorService executor, KeepAlive keepAlive) {
        this.uri = uri;
        this.client = client;
        this.executor = executor;
        this.keepAlive = keepAlive;
    }

    /**
     * Connects and performs the opening handshake, sending {@code Authorization: Bearer} when the
     * options supply a token.
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
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("A WebSocket endpoint is ws://host:port or wss://host:port, not " + uri);
        }
        String token = options.bearer().get();
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("codex4j-ws-", 0).factory());
        HttpClient.Builder hb = HttpClient.newBuilder().executor(executor).connectTimeout(options.connectTimeout());
        if (options.sslContext() != null) {
            hb.sslContext(options.sslContext());
        }
        HttpClient client = hb.build();
        WebSocketTransport t = new WebSocketTransport(uri, client, executor, options.keepAlive());
        WebSocket.Builder wb = client.newWebSocketBuilder().connectTimeout(options.connectTimeout());
        if (token != null) {
            wb.header("Authorization", "Bearer " + token);
        }
        CompletableFuture<WebSocket> opening = wb.buildAsync(uri, t.inbox);
        try {
            t.ws = opening.get(options.connectTimeout().toNanos() + Duration.ofSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
            return t;
        } catch (ExecutionException e) {
            t.shutdown();
            throw refused(uri, e.getCause() == null ? e : e.getCause(), token != null);
        } catch (TimeoutException e) {
            opening.cancel(true);
            t.shutdown();
            throw new TransportClosedException("No WebSocket handshake with " + uri + " within "
                    + options.connectTimeout().toMillis() + " ms", null, "", e);
        } catch (InterruptedException e) {
            opening.cancel(true);
            t.shutdown();
            Thread.currentThread().interrupt();
            throw new TransportClosedException("Interrupted while connecting to " + uri, null, "", e);
        }
    }

    /** Maps a failed opening to the error a user can act on. */
    static CodexException refused(Object where, Throwable e, boolean sentToken) {
        if (e instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            Object body = h.getResponse().body();
            String said = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : body == null ? "" : body.toString();
            return handshakeRefused(where, status, said, sentToken, e);
        }
        String what = e instanceof HttpConnectTimeoutException || e instanceof HttpTimeoutException ? "timed out"
                : e instanceof ConnectException ? "connection refused"
                : e instanceof SSLException ? "TLS failed" : e.getClass().getSimpleName();
        return new TransportClosedException("Could not connect to the app-server at " + where + " (" + what + "): "
                + e.getMessage(), null, "", e);
    }

    /** The error for an opening handshake the server answered with {@code status} instead of 101. */
    static CodexException handshakeRefused(Object where, int status, String body, boolean sentToken,
            @Nullable Throwable cause) {
        String said = body.strip();
        if (said.length() > 200) {
            said = said.substring(0, 200) + "...";
        }
        String detail = "HTTP " + status + (said.isEmpty() ? "" : " \"" + said + "\"");
        if (status == 401 || status == 403) {
            String hint = sentToken
                    ? "the bearer token was refused: check the capability token, or the shared secret, issuer,"
                            + " audience and clock of a signed token, against the server's --ws-auth flags"
                    : "no token was sent, and this server requires one (--ws-auth): give the client its token";
            return cause == null
                    ? new AuthenticationException("The app-server at " + where + " refused the connection (" + detail
                            + "): " + hint)
                    : new AuthenticationException("The app-server at " + where + " refused the connection (" + detail
                            + "): " + hint, cause);
        }
        return new TransportClosedException("The app-server at " + where + " refused the WebSocket handshake ("
                + detail + ")", null, "", cause);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return inbox.read(buffer, offset, length);
    }

    @Override
    public int available() {
        return inbox.available();
    }

    @Override
    public void writeLine(String line) throws IOException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a JSONL line must not contain a line terminator");
        }
        writeLock.lock();
        try {
            WebSocket w = ws;
            if (closed || w == null) {
                throw new IOException("transport closed");
            }
            awaitSend(w.sendText(line, true));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits for a send. Not interruptible: the JDK allows one send at a time, so abandoning this one
     * would break every later write; {@link #close()} (which aborts the WebSocket) is its way out.
     */
    private static void awaitSend(CompletableFuture<WebSocket> send) throws IOException {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    send.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return whether the HTTP client's threads and the listener's have ended (after close), for tests */
    boolean threadsEnded() {
        return client.isTerminated() && executor.isTerminated();
    }

    @Override
    public Duration heartbeatPeriod() {
        return keepAlive.period();
    }

    @Override
    public void heartbeat() {
        WebSocket w = ws;
        if (w == null || closed) {
            return;
        }
        String dead = keepAlive.check(System.nanoTime(), () -> {
            try {
                w.sendPing(ByteBuffer.allocate(0));
            } catch (IllegalStateException e) {
                // the previous ping is still being sent: the link is slow, not dead yet
            }
        }, inbox.busy());
        if (dead != null) {
            LOG.log(Level.DEBUG, () -> uri + ": " + dead);
            inbox.fail(new IOException(dead));
            w.abort();
        }
    }

    @Override
    public String describe() {
        return "app-server at " + uri;
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            inbox.fail(new IOException("transport closed"));
            WebSocket w = ws;
            if (w != null) {
                try {
                    w.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    // the peer is gone or slow: abort below either way
                }
                w.abort();
            }
            shutdown();
        } finally {
            closeLock.unlock();
        }
    }

    /** Stops the HTTP client's selector thread and our executor, bounded. */
    private void shutdown() {
        client.shutdownNow();
        executor.shutdownNow();
        try {
            if (!client.awaitTermination(THREAD_WAIT)) {
                LOG.log(Level.DEBUG, () -> "the HTTP client of " + uri + " did not stop within " + THREAD_WAIT);
            }
            if (!executor.awaitTermination(THREAD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.DEBUG, () -> "the WebSocket listener of " + uri + " did not stop within " + THREAD_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The hand-off from the WebSocket's listener (the producer, one call at a time) to the
     * dispatcher (the consumer): whole messages as UTF-8 lines in one byte buffer under one lock.
     */
    private final class Inbox implements WebSocket.Listener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition readable = lock.newCondition();
        // Guarded by lock: the buffered bytes are buf[head, tail).
        private byte[] buf = new byte[INITIAL_INBOX];
        private int head;
        private int tail;
        /** Whether the listener stopped asking for messages because the inbox is full. */
        private boolean paused;
        private boolean ended;
        private @Nullable IOException failure;
        // The listener's own: the UTF-8 of the current part, and a high surrogate split from its low one.
        private byte[] scratch = new byte[INITIAL_INBOX];
        private char pendingHigh;

        @Override
        public void onOpen(WebSocket webSocket) {
            keepAlive.heard();
            webSocket.request(1);
        }

        @Override
        public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            int n = encode(data, last);
            append(webSocket, scratch, n, last);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            // The app-server sends text; a binary message is taken as UTF-8 all the same.
            int n = data.remaining();
            ensureScratch(n);
            data.get(scratch, 0, n);
            WebSocketFraming.blankLineBreaks(scratch, 0, n);
            append(webSocket, scratch, n, last);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            keepAlive.heard(); // the JDK answers with a pong by itself
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            keepAlive.heard();
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (statusCode == WebSocket.NORMAL_CLOSURE || statusCode == 1001) {
                end();
            } else {
                fail(new IOException("the app-server closed the WebSocket: " + statusCode
                        + (reason.isEmpty() ? "" : " " + reason)));
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(error instanceof IOException io ? io : new IOException(String.valueOf(error), error));
        }

        private void append(WebSocket webSocket, byte[] bytes, int n, boolean last) {
            keepAlive.heard();
            boolean more;
            lock.lock();
            try {
                if (ended || failure != null) {
                    return;
                }
                int need = n + (last ? 1 : 0);
                if (buf.length - tail < need) {
                    makeRoom(need);
                }
                System.arraycopy(bytes, 0, buf, tail, n);
                tail += n;
                if (last) {
                    buf[tail++] = '\n';
                }
                more = tail - head < HIGH_WATER;
                paused = !more;
                readable.signal();
            } finally {
                lock.unlock();
            }
            if (more) {
                webSocket.request(1);
            }
        }

        /** Lock held. */
        private void makeRoom(int need) {
            int size = tail - head;
            if (buf.length - size >= need && size < buf.length / 2) {
                System.arraycopy(buf, head, buf, 0, size);
            } else {
                byte[] bigger = new byte[Math.max(buf.length * 2, size + need)];
                System.arraycopy(buf, head, bigger, 0, size);
                buf = bigger;
            }
            head = 0;
            tail = size;
        }

        int read(byte[] b, int off, int len) throws IOException {
            boolean resume;
            int k;
            lock.lock();
            try {
                while (head == tail) {
                    if (failure != null) {
                        throw new IOException(failure.getMessage(), failure);
                    }
                    if (ended) {
                        return -1;
                    }
                    try {
                        readable.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading from " + uri);
                    }
                }
                k = Math.min(len, tail - head);
                System.arraycopy(buf, head, b, off, k);
                head += k;
                if (head == tail) {
                    head = tail = 0;
                    if (buf.length > 4 * INITIAL_INBOX) {
                        buf = new byte[INITIAL_INBOX]; // a big message passed: give its memory back
                    }
                }
                resume = paused && tail - head <= HIGH_WATER / 2;
                if (resume) {
                    paused = false;
                }
            } finally {
                lock.unlock();
            }
            WebSocket w = ws;
            if (resume && w != null) {
                w.request(1);
            }
            return k;
        }

        int available() {
            lock.lock();
            try {
                return tail - head;
            } finally {
                lock.unlock();
            }
        }

        /** Whether bytes wait for the dispatcher (then the peer is not silent, only the reader slow). */
        boolean busy() {
            lock.lock();
            try {
                return paused || tail > head;
            } finally {
                lock.unlock();
            }
        }

        void end() {
            lock.lock();
            try {
                ended = true;
                readable.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void fail(IOException e) {
            lock.lock();
            try {
                if (failure == null && !ended) {
                    failure = e;
                }
                ended = true;
                readable.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void ensureScratch(int n) {
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, scratch.length * 2)];
            }
        }

        /** UTF-8 of one part into scratch, line breaks blanked; a trailing high surrogate waits for its pair. */
        private int encode(CharSequence s, boolean last) {
            int n = s.length();
            ensureScratch(3 * n + 4);
            byte[] out = scratch;
            int j = 0;
            int i = 0;
            if (pendingHigh != 0) {
                char high = pendingHigh;
                pendingHigh = 0;
                if (n > 0 && Character.isLowSurrogate(s.charAt(0))) {
                    j = put4(out, j, Character.toCodePoint(high, s.charAt(0)));
                    i = 1;
                } else {
                    j = putReplacement(out, j);
                }
            }
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    out[j++] = c == '\n' || c == '\r' ? (byte) ' ' : (byte) c;
                } else if (c < 0x800) {
                    out[j++] = (byte) (0xC0 | (c >> 6));
                    out[j++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c)) {
                    if (i + 1 < n) {
                        char d = s.charAt(i + 1);
                        if (Character.isLowSurrogate(d)) {
                            j = put4(out, j, Character.toCodePoint(c, d));
                            i++;
                        } else {
                            j = putReplacement(out, j);
                        }
                    } else if (!last) {
                        pendingHigh = c;
                    } else {
                        j = putReplacement(out, j);
                    }
                } else if (Character.isLowSurrogate(c)) {
                    j = putReplacement(out, j);
                } else {
                    out[j++] = (byte) (0xE0 | (c >> 12));
                    out[j++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    out[j++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return j;
        }

        private static int put4(byte[] out, int j, int cp) {
            out[j++] = (byte) (0xF0 | (cp >> 18));
            out[j++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            out[j++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[j++] = (byte) (0x80 | (cp & 0x3F));
            return j;
        }

        private static int putReplacement(byte[] out, int j) {
            out[j++] = (byte) 0xEF;
            out[j++] = (byte) 0xBF;
            out[j++] = (byte) 0xBD;
            return j;
        }
    }
}
