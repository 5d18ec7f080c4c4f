package dev.codex4j.internal.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The write side of a client WebSocket link: one virtual thread ({@code codex4j-ws-writer}) writes
 * every frame, masked as RFC 6455 requires of a client. A socket closes when a thread in an
 * operation on it is interrupted, so callers never touch the stream: {@link #write} hands its frame
 * over and waits, uninterruptibly, until it is written or the link failed.
 *
 * <p>Bounded by construction: at most one pong waits (a newer ping replaces the payload of the pong
 * not sent yet, which RFC 6455 allows), at most one ping, one close, and at most
 * {@value #MAX_QUEUED_FRAMES} data frames or {@value #MAX_QUEUED_BYTES} bytes; a peer that reads so
 * little that more wait breaks the link. The first write that fails breaks it too: every frame
 * still waiting fails with {@link LinkClosedException} (not one byte of it left), and
 * {@code onFailure} ends the link so that its reader, and every waiter with it, sees the loss.
 *
 * <pre>{@code
 * WebSocketFrameWriter w = new WebSocketFrameWriter(out, "unix:///run/codex.sock", why -> breakLink(why));
 * w.write("{\"id\":1,\"method\":\"model/list\"}".getBytes(UTF_8));
 * }</pre>
 */
final class WebSocketFrameWriter {
    private static final System.Logger LOG = System.getLogger(WebSocketFrameWriter.class.getName());
    static final int MAX_QUEUED_FRAMES = 4096;
    static final long MAX_QUEUED_BYTES = 64L << 20;
    private static final Duration THREAD_WAIT = Duration.ofSeconds(2);
    private static final byte[] NONE = new byte[0];

    /** Called once, by the thread that found the link broken, with why. */
    interface OnFailure {
        void failed(String why);
    }

    private record Data(byte[] payload, CompletableFuture<Void> done) {}

    private final OutputStream out;
    private final String where;
    private final OnFailure onFailure;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Data> data = new ArrayDeque<>();
    private long queuedBytes;
    private byte @Nullable [] pong;
    private boolean ping;
    private byte @Nullable [] close;
    private @Nullable CompletableFuture<Void> closeSent;
    private boolean stopped;
    private @Nullable IOException failure;

    WebSocketFrameWriter(OutputStream out, String where, OnFailure onFailure) {
        this.out = out;
        this.where = where;
        this.onFailure = onFailure;
        this.thread = Thread.ofVirtual().name("codex4j-ws-writer").start(this::loop);
    }

    /**
     * Sends one text frame and waits until it is written. Not interruptible (an abandoned frame
     * would leave a half-written frame on the link); a failure or {@link #stop()} ends the wait.
     *
     * @throws LinkClosedException when the link had failed or closed before anything was written
     * @throws IOException when writing failed (some of the frame may have left)
     */
    void write(byte[] payload) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String flooded = null;
        lock.lock();
        try {
            if (failure != null) {
                throw new LinkClosedException(failure.getMessage(), failure);
            }
            if (stopped || close != null) {
                throw new LinkClosedException("transport closed");
            }
            if (data.size() >= MAX_QUEUED_FRAMES || queuedBytes + payload.length > MAX_QUEUED_BYTES) {
                flooded = "the app-server at " + where + " read nothing while " + data.size() + " messages ("
                        + queuedBytes + " bytes) waited to be sent to it";
                failure = new LinkClosedException(flooded);
            } else {
                data.add(new Data(payload, done));
                queuedBytes += payload.length;
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        if (flooded != null) {
            failAll(flooded);
            onFailure.failed(flooded);
            throw new LinkClosedException(flooded);
        }
        await(done);
    }

    private static void await(CompletableFuture<Void> done) throws IOException {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    done.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof LinkClosedException l) {
                        throw new LinkClosedException(l.getMessage(), l);
                    }
                    throw c instanceof IOException io ? new IOException(io.getMessage(), io)
                            : new IOException(String.valueOf(c), c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Answers a ping: replaces any pong not sent yet (at most one waits). Never blocks. */
    void pong(byte[] payload, int length) {
        byte[] copy = java.util.Arrays.copyOf(payload, length);
        lock.lock();
        try {
            if (!stopped && failure == null) {
                pong = copy;
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends an empty ping unless one waits already. Never blocks. */
    void ping() {
        lock.lock();
        try {
            if (!stopped && failure == null) {
                ping = true;
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a close frame after what waits (the last frame this writer sends) and waits at most
     * {@code max} for it. Never throws.
     */
    void close(byte[] payload, Duration max) {
        CompletableFuture<Void> sent;
        lock.lock();
        try {
            if (stopped || failure != null || close != null) {
                return;
            }
            close = payload;
            sent = closeSent = new CompletableFuture<>();
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            sent.get(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a peer that is gone or reads nothing: closing the socket ends it either way
        }
    }

    /**
     * Stops the writer: frames still waiting fail with {@link LinkClosedException}; a write blocked
     * on the socket ends when the caller closes it. Waits (bounded) for the thread to end.
     */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        failAll("transport closed");
        try {
            if (!thread.join(THREAD_WAIT)) {
                LOG.log(Level.DEBUG, () -> "the writer of " + where + " did not stop within " + THREAD_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the writer thread has ended, for tests */
    boolean ended() {
        return !thread.isAlive();
    }

    private void failAll(String why) {
        ArrayDeque<Data> left;
        CompletableFuture<Void> c;
        lock.lock();
        try {
            left = new ArrayDeque<>(data);
            data.clear();
            queuedBytes = 0;
            pong = null;
            ping = false;
            c = closeSent;
        } finally {
            lock.unlock();
        }
        LinkClosedException e = new LinkClosedException(why);
        for (Data d : left) {
            d.done.completeExceptionally(e);
        }
        if (c != null) {
            c.completeExceptionally(e);
        }
    }

    private void loop() {
        for (;;) {
            int opcode;
            byte[] payload;
            Data d = null;
            CompletableFuture<Void> closing = null;
            lock.lock();
            try {
                while (!stopped && failure == null && pong == null && !ping && close == null && data.isEmpty()) {
                    work.awaitUninterruptibly();
                }
                if (stopped || failure != null) {
                    break;
                }
                if (pong != null) {
                    opcode = WebSocketFraming.OP_PONG;
                    payload = pong;
                    pong = null;
                } else if (ping) {
                    opcode = WebSocketFraming.OP_PING;
                    payload = NONE;
                    ping = false;
                } else if (!data.isEmpty()) {
                    d = data.poll();
                    queuedBytes -= d.payload.length;
                    opcode = WebSocketFraming.OP_TEXT;
                    payload = d.payload;
                } else {
                    opcode = WebSocketFraming.OP_CLOSE;
                    payload = close;
                    closing = closeSent;
                }
            } finally {
                lock.unlock();
            }
            try {
                out.write(frame(opcode, payload));
                out.flush();
            } catch (IOException e) {
                String why = "Writing to the app-server at " + where + " failed: " + e.getMessage();
                lock.lock();
                try {
                    if (failure == null) {
                        failure = new LinkClosedException(why, e);
                    }
                } finally {
                    lock.unlock();
                }
                if (d != null) {
                    d.done.completeExceptionally(e);
                }
                failAll(why);
                if (!stopped) {
                    onFailure.failed(why);
                }
                return;
            }
            if (d != null) {
                d.done.complete(null);
            }
            if (closing != null) {
                closing.complete(null);
                lock.lock();
                try {
                    stopped = true; // nothing follows a close frame
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** A masked client frame: header, mask, payload (masked in a copy). */
    static byte[] frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] f = new byte[header + 4 + length];
        f[0] = (byte) (0x80 | opcode);
        if (length <= 125) {
            f[1] = (byte) (0x80 | length);
        } else if (length <= 0xFFFF) {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (length >>> 8);
            f[3] = (byte) length;
        } else {
            f[1] = (byte) (0x80 | 127);
            long l = length;
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) (l >>> (56 - 8 * i));
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        f[header] = (byte) (mask >>> 24);
        f[header + 1] = (byte) (mask >>> 16);
        f[header + 2] = (byte) (mask >>> 8);
        f[header + 3] = (byte) mask;
        System.arraycopy(payload, 0, f, header + 4, length);
        WebSocketFraming.mask(f, header + 4, header + 4 + length, mask);
        return f;
    }
}
