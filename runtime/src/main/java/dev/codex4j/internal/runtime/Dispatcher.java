package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.internal.LineScanner;
import dev.codex4j.errors.LineTooLongException;
import dev.codex4j.errors.ProtocolException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The dispatcher actor: the only reader of the transport. Everything here runs on the
 * dispatcher's thread ({@code codex4j-dispatcher}), and all of its fields are confined to it.
 *
 * <p>Each wake-up reads everything the link holds (up to the buffer), frames the lines at the
 * byte level, reads each line's routing keys (and a delta's text) in one pass with
 * {@link LineScanner}, and routes the whole batch under one acquisition of the router's lock:
 * notifications to their turn's mailbox or to subscribers, replies to their request, server
 * requests to their handler's thread. Consumer wake-ups are owed, not paid, while the batch is
 * routed ({@link Batch}): each consumer that got something is woken once at the end of the batch,
 * before the next read (which may block), so none is ever lost and none is paid per message.
 *
 * <p>Interrupt coalescing: while traffic is sustained (the previous batch ended less than a few
 * coalescing windows ago), the dispatcher sleeps one {@link ConnectionOptions#coalesceWindow()}
 * before its next read, so that lines arriving one by one are read, routed and woken for in
 * batches. After a quiet spell the next line is read the moment it arrives. The window bounds the
 * latency this adds to any message.
 *
 * <p>Latency budgets: a consumer with a budget is woken at most once per budget while its messages
 * keep coming ({@link Batch#wakeWithin}). While a wake is deferred the dispatcher never blocks in a
 * read: when the link holds nothing it parks until the earliest deferred wake is due (or one
 * window, whichever is first) and looks again, so a deferred wake is paid on time however the
 * traffic stops. That needs a link whose {@code available()} counts what it holds
 * ({@link Transport#availableIsExact()}: a child's stdout); over any other, every deferred wake is
 * paid before a read that may block (budgets then save less, and still hold). While no consumer needs the base window (no budget below
 * {@link ConnectionOptions#relaxedWindowBelowBudget()}, no request waiting for its reply), the
 * dispatcher sleeps {@link ConnectionOptions#relaxedWindow()} instead, and the deferred wakes of
 * the lines it read after such a sleep come that much earlier ({@link Batch#leadNanos}).
 */
final class Dispatcher {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int INITIAL_BUFFER = 1 << 16;
    /** Lines routed before the owed wake-ups are paid even if more input is already there. */
    private static final int MAX_BATCH_LINES = 4096;
    /** The most bytes asked of a read while lines trickle in: the JDK reads up to 8 KiB into a stack buffer. */
    private static final int READ_CHUNK = 8192;
    /** System property (bytes, for benchmarks): the most asked of a read that follows a full one. */
    static final String READ_CHUNK_MAX_PROPERTY = "codex4j.readChunkMax";

    private final Transport transport;
    private final Router router;
    private final RequestTable requests;
    private final ServerRequests serverRequests;
    private final Closure closure;
    private final RuntimeStats stats;
    private final int maxLineBytes;
    private final long coalesceNanos;
    /** The window while no consumer needs the base one (at least the base window). */
    private final long relaxedNanos;
    /** Whether the transport's available() tells when a read would block ({@link Transport#availableIsExact()}). */
    private final boolean exactAvailable;
    /** How long the dispatcher slept before its last read: what a line may have waited in the link. */
    private long sleptNanos;
    private final long sustainedNanos;
    private final int readChunkMax = Math.max(READ_CHUNK, Integer.getInteger(READ_CHUNK_MAX_PROPERTY, 1 << 16));
    private final LineScanner scanner = LineScanner.forReader();
    private final Batch batch;
    /** Replies and server requests of the batch, handled after the router's lock is released. */
    private final ArrayList<Inbound> replies = new ArrayList<>();
    private final ArrayList<Inbound> serverRequestLines = new ArrayList<>();
    private final ArrayList<ServerRequestHandler> serverRequestHandlers = new ArrayList<>();
    private final RateLimitedLog badLines = new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.MINUTES.toNanos(1));
    private byte[] buf = new byte[INITIAL_BUFFER];

    Dispatcher(Transport transport, Router router, RequestTable requests, ServerRequests serverRequests,
            ConnectionOptions options, Closure closure, RuntimeStats stats, @Nullable Waker waker) {
        this.batch = new Batch(waker);
        this.transport = transport;
        this.router = router;
        this.requests = requests;
        this.serverRequests = serverRequests;
        this.closure = closure;
        this.stats = stats;
        this.maxLineBytes = options.maxLineBytes();
        this.coalesceNanos = options.coalesceWindow().toNanos();
        this.exactAvailable = transport.availableIsExact();
        this.relaxedNanos = Math.max(coalesceNanos, options.relaxedWindow().toNanos());
        this.sustainedNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(2), 4 * coalesceNanos);
    }

    /**
     * Reads and routes until the stream ends.
     *
     * @return null at the end of the stream, else why reading stopped
     */
    @Nullable Throwable run() {
        lastBatchEnd = System.nanoTime() - sustainedNanos;
        try {
            while (readOnce()) {
                // One read per call, so that the JIT compiles the loop's body as a method: this
                // loop turns about once per coalescing window and would otherwise stay interpreted.
            }
            return null;
        } catch (IOException | RuntimeException | Error e) {
            flushAll();
            return e;
        }
    }

    // The read loop's state between reads; confined to the dispatcher.
    /** The first byte of the first incomplete line in buf. */
    private int start;
    /** The end of the bytes read into buf. */
    private int end;
    /** Where to look for the next newline: the bytes in [start, scanFrom) hold none. */
    private int scanFrom;
    /** Lines routed since the wake-ups were last paid. */
    private int batchLines;
    /** Whether the last read filled what it asked for (the link may hold more). */
    private boolean lastReadFull;
    private long lastBatchEnd;
    /** Bytes read since the wake-ups were last paid. */
    private long batchBytes;

    /**
     * One read: route what it completed, then either read on (more is already there) or pay the
     * owed wake-ups and, while traffic is sustained, sleep one coalescing window.
     *
     * @return false at the end of the stream
     */
    private boolean readOnce() throws IOException {
        if (batchLines == 0 && batch.hasDeferred()) {
            long now = System.nanoTime();
            if (closure.isClosed()) {
                flushAll();
            } else if (batch.earliestDue() - now <= 0) {
                flush(); // pays the deferred wakes that are due
            }
            if (batch.hasDeferred() && transport.available() <= 0) {
                if (!exactAvailable) {
                    flushAll(); // whether the read blocks cannot be told: pay every deferred wake first
                    return true;
                }
                // A read could block past a deferred wake: wait for the earlier of it and a window.
                long wait = Math.min(batch.earliestDue() - now, Math.max(window(), MIN_POLL_NANOS));
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    sleptNanos = wait; // what arrived since the last look waited at most this
                }
                return true;
            }
        }
        if (end == buf.length) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                scanFrom -= start;
                start = 0;
            } else {
                grow();
            }
        }
        // Small reads while lines trickle in (the JDK reads up to 8 KiB through a stack buffer,
        // more through a malloc'd one); large ones while a burst fills them (one system call, not
        // eight, per 64 KiB).
        int asked = Math.min(buf.length - end, lastReadFull ? readChunkMax : READ_CHUNK);
        int n = transport.read(buf, end, asked);
        if (n < 0) {
            if (end > start) {
                routeBatch(start, scanFrom, end, true); // a last line without its newline
            }
            flushAll();
            return false;
        }
        lastReadFull = n == asked;
        if (batchLines == 0) {
            batch.nowNanos = System.nanoTime();
            batch.leadNanos = Math.max(0, sleptNanos - coalesceNanos);
            batchBytes = 0;
        }
        sleptNanos = 0;
        batchBytes += n;
        end += n;
        batchLines += routeBatch(start, scanFrom, end, false);
        start = consumedTo;
        scanFrom = end;
        if (start == end) {
            start = end = scanFrom = 0;
        } else if (end - start > maxLineBytes) {
            throw new LineTooLongException(maxLineBytes, new String(buf, start, 256, UTF_8));
        }
        // A read that filled its chunk may have left more behind; one that did not drained the link.
        if (lastReadFull && batchLines < MAX_BATCH_LINES && transport.available() > 0) {
            return true; // more is already there: read it before paying the wake-ups
        }
        int woken = flush();
        stats.batches.increment();
        stats.lines.add(batchLines);
        long lag = System.nanoTime() - batch.nowNanos;
        stats.lastBatchLagNanos = lag;
        if (JfrEvents.recorderStarted()) {
            JfrEvents.DispatcherBatch jfr = new JfrEvents.DispatcherBatch();
            if (jfr.isEnabled()) {
                jfr.lines = batchLines;
                jfr.bytes = batchBytes;
                jfr.wakeups = woken;
                jfr.lag = lag;
                jfr.commit();
            }
        }
        batchLines = 0;
        long now = System.nanoTime();
        long current = window();
        // Sustained: the previous batch ended less than a few windows ago (of the window in use,
        // so that a relaxed window does not make every other read a single line).
        boolean sustained = now - lastBatchEnd < Math.max(sustainedNanos, 4 * current);
        lastBatchEnd = now;
        if (coalesceNanos > 0 && sustained && !closure.isClosed()) {
            long window = batch.hasDeferred() ? Math.min(current, batch.earliestDue() - now) : current;
            if (window > 0) {
                LockSupport.parkNanos(window);
                sleptNanos = window;
            }
        }
        return true;
    }

    /** The shortest park while a deferred wake waits and the link is empty. */
    private static final long MIN_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /** @return the coalescing window now: relaxed while no consumer needs the base one */
    private long window() {
        return relaxedNanos > coalesceNanos && !router.hasStrictConsumers() && !requests.hasPending()
                ? relaxedNanos : coalesceNanos;
    }

    /** Where the last routeBatch stopped: the first byte of an incomplete line. */
    private int consumedTo;

    /**
     * Frames and routes the complete lines in {@code [start, end)}, looking for newlines from
     * {@code scanFrom} (the bytes before it hold none); returns how many lines.
     */
    private int routeBatch(int start, int scanFrom, int end, boolean last) {
        int lines = 0;
        router.lock.lock();
        try {
            boolean routing = !closure.isClosed();
            int from = start;
            int i = scanFrom;
            while ((i = newline(buf, i, end)) >= 0) {
                if (routing) {
                    routeLine(from, i);
                }
                lines++;
                from = ++i;
            }
            if (last && from < end) {
                if (routing) {
                    routeLine(from, end);
                }
                lines++;
                from = end;
            }
            consumedTo = from;
        } finally {
            router.unlock(); // runs the release actions of reservations the batch ended
        }
        router.emitNotices();
        for (int i = 0; i < replies.size(); i++) {
            requests.onReply(replies.get(i));
        }
        replies.clear();
        for (int i = 0; i < serverRequestLines.size(); i++) {
            serverRequests.dispatch(serverRequestLines.get(i), serverRequestHandlers.get(i));
        }
        serverRequestLines.clear();
        serverRequestHandlers.clear();
        return lines;
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The index of the first '\\n' in b[from, to), or -1: eight bytes at a time (SWAR). */
    static int newline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Router's lock held. */
    private void routeLine(int from, int to) {
        assert router.lock.isHeldByCurrentThread();
        int len = to - from;
        if (len > 0 && buf[to - 1] == '\r') {
            len--;
        }
        if (len == 0) {
            return;
        }
        WireLog.in(buf, from, len);
        Inbound in;
        try {
            scanner.scan(buf, from, len);
            in = Inbound.scanned(scanner, buf, from, len);
        } catch (ProtocolException e) {
            stats.badLines.increment();
            badLines.log(() -> "Skipping a line the app-server wrote: " + e.getMessage());
            return;
        }
        try {
            switch (in.kind()) {
                case NOTIFICATION -> router.routeNotification(in, batch);
                case RESPONSE, ERROR -> replies.add(in);
                case REQUEST -> {
                    router.serverRequestFor(in, batch);
                    serverRequestLines.add(in);
                    serverRequestHandlers.add(router.handlerFor(in));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Could not route " + in, e);
        }
    }

    /** @return how many consumers were woken */
    private int flush() {
        int woken = batch.flush();
        stats.wakeups.add(woken);
        return woken;
    }

    /** Pays every wake, deferred or not: the stream ended or failed. */
    private void flushAll() {
        stats.wakeups.add(batch.flushAll());
    }

    private void grow() {
        if (buf.length > maxLineBytes) {
            throw new LineTooLongException(maxLineBytes, new String(buf, 0, 256, UTF_8));
        }
        int size = (int) Math.min((long) maxLineBytes + 1, (long) buf.length * 2);
        byte[] bigger = new byte[size];
        System.arraycopy(buf, 0, bigger, 0, buf.length);
        buf = bigger;
    }
}
