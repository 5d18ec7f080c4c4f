package dev.codex4j.internal.runtime;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.errors.LineTooLongException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.errors.ServerOverloadedException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.TypedCodec;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A JSON-RPC connection to an app-server, run as a small set of actors, each the only owner of
 * its state:
 *
 * <ul>
 *   <li>the {@link Dispatcher} ({@code codex4j-dispatcher}) reads every byte the server writes,
 *       frames lines, reads their routing keys and routes them in batches, paying one wake-up per
 *       consumer per batch;
 *   <li>the {@link Router} (one lock) holds where each message goes: turn mailboxes
 *       ({@link TurnMailbox}), reservations of threads with a turn in flight ({@link Reservation}),
 *       subscribers, server-request handlers, and the byte budgets for messages nobody consumes;
 *   <li>the {@link RequestTable} holds requests in flight, their deadlines and overload retries
 *       ({@link RetryPolicy});
 *   <li>{@link ServerRequests} runs each server request's handler on a virtual thread of its own;
 *   <li>the scheduler ({@code codex4j-scheduler-1}) runs deadlines, retry delays and the sweeper.
 * </ul>
 *
 * <p>This class wires them together and owns the connection's lifecycle. When the server exits or
 * its output ends, everything waiting fails promptly with a {@link TransportClosedException} that
 * carries the exit code and stderr tail. {@link #close()} is idempotent and bounded, and afterwards
 * no process and no thread of the connection is left.
 *
 * <pre>{@code
 * try (Connection c = Connection.open(StdioTransport.start(launch, Duration.ofSeconds(5)),
 *         ConnectionOptions.defaults())) {
 *     c.request("initialize", initParams).join();
 *     c.notify("initialized", ProtocolCodec.emptyObject());
 *     String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join()
 *             .path("thread").path("id").asString();
 *     try (Reservation r = Objects.requireNonNull(c.tryReserveTurn(threadId, null))) {
 *         JsonNode turn = c.request("turn/start", turnParams).join();
 *         TurnMailbox box = r.claim(turn.path("turn").path("id").asString());
 *         box.attach(TurnMailbox.WakePolicy.EACH_BATCH);
 *         for (Inbound in; (in = box.take(Duration.ofMinutes(5))) != null && !in.isTurnCompleted(); ) { }
 *     }
 * }
 * }</pre>
 */
public final class Connection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /**
     * How long the dispatcher waits for the child's exit code after its output ended. A killed
     * child or the real app-server exits together with closing stdout; a child that closes its
     * output and lingers makes waiters fail this much later, without an exit code.
     */
    private static final Duration EXIT_GRACE = Duration.ofMillis(700);
    /** How long close() waits for our threads once the transport is closed. */
    private static final Duration THREAD_GRACE = Duration.ofSeconds(2);

    private final Transport transport;
    private final ConnectionOptions options;
    private final RuntimeThreads threads = new RuntimeThreads();
    private final ScheduledThreadPoolExecutor scheduler;
    private final Closure closure;
    private final RuntimeStats stats = new RuntimeStats();
    private final SlowCallbacks slowCallbacks;
    private final Router router;
    private final RequestTable requests;
    private final ServerRequests serverRequests;
    private final CopyOnWriteArrayList<Consumer<? super TransportClosedException>> closeListeners =
            new CopyOnWriteArrayList<>();
    private final ReentrantLock closeLock = new ReentrantLock();
    private volatile boolean closeDone;
    private @Nullable Thread dispatcher;
    private @Nullable Waker waker;

    private Connection(Transport transport, ConnectionOptions options, RuntimeEvents events,
            @Nullable RequestTracer tracer) {
        this.transport = transport;
        this.options = options;
        this.closure = new Closure(options.serverLostOnFailure());
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads.platformFactory("codex4j-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        LineWriter writer = this::writeLine;
        this.slowCallbacks = new SlowCallbacks(options.slowCallbackThreshold(),
                System.getLogger(SlowCallbacks.class.getName()));
        events = slowCallbacks.watch(events);
        this.router = new Router(options, closure, stats, Connection::unhandled, events, slowCallbacks);
        this.requests = new RequestTable(writer, RetryPolicy.of(options), Timers.of(scheduler),
                task -> threads.startVirtual("codex4j-send", task),
                task -> threads.startVirtual("codex4j-callback", task), closure, stats, this::writeFailed, events, tracer);
        this.serverRequests = new ServerRequests(writer, threads, closure, stats);
    }

    /**
     * Opens a connection over a transport it then owns, and starts the dispatcher.
     *
     * @param transport the link to the server; closed with the connection
     * @param options timeouts, retries and bounds
     * @return the open connection
     */
    public static Connection open(Transport transport, ConnectionOptions options) {
        return open(transport, options, RuntimeEvents.NONE);
    }

    /**
     * Opens a connection that tells {@code events} what it does (see {@link RuntimeEvents} for
     * the threads each event comes on).
     *
     * @param transport the link to the server; closed with the connection
     * @param options timeouts, retries and bounds
     * @param events the observer ({@link RuntimeEvents#NONE} for none)
     * @return the open connection
     */
    public static Connection open(Transport transport, ConnectionOptions options, RuntimeEvents events) {
        return open(transport, options, events, null);
    }

    /**
     * Opens a connection that tells {@code events} what it does and traces its requests with
     * {@code tracer} (each request's W3C trace context goes into its {@code trace} member).
     *
     * @param transport the link to the server; closed with the connection
     * @param options timeouts, retries and bounds
     * @param events the observer ({@link RuntimeEvents#NONE} for none)
     * @param tracer the tracer of requests, or null for none (no {@code trace} member is sent)
     * @return the open connection
     */
    public static Connection open(Transport transport, ConnectionOptions options, RuntimeEvents events,
            @Nullable RequestTracer tracer) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(events, "events");
        Connection c = new Connection(transport, options, events, tracer);
        c.start();
        return c;
    }

    /**
     * Opens a connection with {@link ConnectionOptions#defaults()}.
     *
     * @param transport the link to the server; closed with the connection
     * @return the open connection
     */
    public static Connection open(Transport transport) {
        return open(transport, ConnectionOptions.defaults());
    }

    private void start() {
        // The sweeper first: a peer whose output ends at once makes the dispatcher shut the
        // scheduler down, and scheduling after that would throw out of open().
        long sweep = Math.clamp(options.heldMessageTtl().toMillis() / 4, 10, 1_000);
        scheduler.scheduleWithFixedDelay(() -> router.sweep(System.nanoTime()), sweep, sweep, TimeUnit.MILLISECONDS);
        Duration beat = transport.heartbeatPeriod();
        if (!beat.isZero()) {
            every(beat, transport::heartbeat); // socket links: ping, and break a silent link
        }
        Waker waker = null;
        if (Boolean.parseBoolean(System.getProperty("codex4j.waker", "true"))) {
            waker = new Waker(closure);
            threads.startVirtual("codex4j-waker", waker::run);
            this.waker = waker;
        }
        Dispatcher d = new Dispatcher(transport, router, requests, serverRequests, options, closure, stats, waker);
        Runnable loop = () -> dispatchUntilEnd(d);
        dispatcher = options.dispatcherThread() == ConnectionOptions.DispatcherThread.PLATFORM
                ? threads.startPlatform("codex4j-dispatcher", loop)
                : threads.startVirtual("codex4j-dispatcher", loop);
    }

    /** @return the options this connection runs with */
    public ConnectionOptions options() {
        return options;
    }

    /**
     * @return the detector of slow callbacks this connection times its own callbacks with (its
     *     {@link RuntimeEvents} sink, release actions); the SDK times its listeners with it too
     */
    public SlowCallbacks slowCallbacks() {
        return slowCallbacks;
    }

    /** @return what the link is, for messages */
    public String describe() {
        return transport.describe();
    }

    /** @return whether the server shares this machine's file system (a child process) */
    public boolean isLocal() {
        return transport.isLocal();
    }

    // ---------------------------------------------------------------- requests

    /**
     * Sends a request with the default timeout.
     *
     * @param method the method
     * @param params the params object ({@code {}} when there are none)
     * @return the result; fails as {@link #request(String, JsonNode, Duration)} says
     */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, options.requestTimeout());
    }

    /**
     * Sends a request and waits for its result, without a future: the cheap path for callers that
     * block anyway (the SDK's own calls). Fails as {@link #request(String, JsonNode, Duration)} says,
     * by throwing.
     *
     * @param method the method
     * @param params the params object ({@code {}} when there are none)
     * @param timeout the longest wait for the reply, retries included
     * @return the result
     * @throws InterruptedException when the caller is interrupted while it waits (the request is
     *     abandoned: a late reply is ignored)
     */
    public JsonNode call(String method, JsonNode params, Duration timeout) throws InterruptedException {
        return RequestTable.resultOf(requests.call(method, params, timeout));
    }

    /**
     * {@link #call(String, JsonNode, Duration)} that returns the reply as its line, for the caller
     * to bind on its own thread (the dispatcher decodes nothing of a reply): the cheap path for a
     * typed result, which streams from the bytes into the generated type without a tree
     * ({@code TypedCodec.result(method, reply.bytes(), 0, reply.size())}). Error replies are thrown
     * as by {@link #request(String, JsonNode, Duration)}.
     *
     * @param method the method
     * @param params the params object ({@code {}} when there are none)
     * @param timeout the longest wait for the reply, retries included
     * @return the reply: a {@code RESPONSE} line with the request's id
     * @throws InterruptedException when the caller is interrupted while it waits (the request is
     *     abandoned: a late reply is ignored)
     */
    public Inbound callForReply(String method, JsonNode params, Duration timeout) throws InterruptedException {
        return requests.call(method, params, timeout);
    }

    /**
     * Sends a request, waits for its reply and binds its result strictly to the type the method
     * declares, from the reply's bytes on the calling thread ({@link TypedCodec#result(ClientMethod,
     * byte[], int, int)}).
     *
     * @param method the method's descriptor
     * @param params the params object ({@code {}} when there are none)
     * @param timeout the longest wait for the reply, retries included
     * @param <R> the result type
     * @return the typed result
     * @throws dev.codex4j.errors.DecodeException when the result does not bind
     * @throws InterruptedException when the caller is interrupted while it waits
     */
    public <R> R call(ClientMethod<?, R> method, JsonNode params, Duration timeout) throws InterruptedException {
        Inbound reply = requests.call(method.name(), params, timeout);
        return TypedCodec.result(method, reply.bytes(), 0, reply.size());
    }

    /**
     * Sends a request. The returned future completes on a virtual thread of its own
     * ({@code codex4j-callback}), never the dispatcher, so dependent stages may block.
     *
     * <p>It fails with {@link CodexRpcException} (a subclass per code) for an error reply,
     * {@link RequestTimeoutException} when no reply came within {@code timeout} (retries
     * included), and {@link TransportClosedException} when the connection is or gets closed. A
     * "server overloaded" reply is retried with a new id after an exponential, jittered delay, up
     * to {@link ConnectionOptions#overloadRetries()} times, then fails with
     * {@link ServerOverloadedException}.
     *
     * @param method the method
     * @param params the params object ({@code {}} when there are none)
     * @param timeout the longest wait for the reply, retries included
     * @return the result
     */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        return requests.request(method, params, timeout);
    }

    /**
     * Sends a notification (no reply), for example {@code initialized}.
     *
     * @param method the method
     * @param params the params object ({@code {}} sends no params member)
     * @throws TransportClosedException when the connection is closed or the write fails
     */
    public void notify(String method, JsonNode params) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(params, "params");
        if (closure.isClosed()) {
            throw closure.exception();
        }
        String line = ProtocolCodec.encode(new JsonRpcMessage.Notification(method, params, null));
        try {
            writeLine(line);
        } catch (IOException e) {
            if (closure.isClosed()) {
                throw closure.exception(e instanceof LinkClosedException);
            }
            throw writeFailed(new IOException("Could not send " + method + ": " + e.getMessage(), e));
        }
    }

    private void writeLine(String line) throws IOException {
        WireLog.out(line);
        try {
            transport.writeLine(line);
        } catch (IOException e) {
            lostOnWrite(e);
            throw e;
        }
    }

    /**
     * A write that finds the output closed or broken means the link is lost, as when the reader sees
     * its end: the connection ends here (on the writing thread), so that this write's caller and
     * every other waiter fail alike (under supervision with {@code ServerLostException}) instead of
     * this one failing alone while the connection looks open.
     */
    private void lostOnWrite(IOException e) {
        if (closure.isClosed()) {
            return;
        }
        String reason = "Writing to the app-server failed: " + e.getMessage();
        OptionalInt exit = transport.awaitExit(EXIT_GRACE);
        LOG.log(Level.DEBUG, () -> reason + ", exit " + exit);
        if (fail(reason, boxed(exit), transport.stderrTail(), e, false)) {
            transport.close();
            scheduler.shutdownNow();
        }
    }

    private TransportClosedException writeFailed(Throwable e) {
        return new TransportClosedException(String.valueOf(e.getMessage()), boxed(transport.exitCode()),
                transport.stderrTail(), e);
    }

    // ---------------------------------------------------------------- turns

    /**
     * Reserves a thread for one turn, before its {@code turn/start} is sent (see
     * {@link Reservation}). At most one reservation per thread id exists at a time.
     *
     * @param threadId the thread
     * @param handler the handler of the thread's server requests while it is held, or null for
     *     the thread's or the connection's handler
     * @return the reservation, or null when the thread has one already (see {@link #reservation})
     * @throws TransportClosedException when the connection is closed
     */
    public @Nullable Reservation tryReserveTurn(String threadId, @Nullable ServerRequestHandler handler) {
        return router.tryReserve(Objects.requireNonNull(threadId, "threadId"), handler);
    }

    /**
     * @param threadId the thread
     * @return its current reservation (a turn starting or running), or null
     */
    public @Nullable Reservation reservation(String threadId) {
        return router.reservation(Objects.requireNonNull(threadId, "threadId"));
    }

    /**
     * Claims the mailbox of a turn without a reservation: for turns started by another client, and
     * for tests and benchmarks. Messages that arrived for it before are in it.
     *
     * @param threadId the thread the turn belongs to
     * @param turnId the turn
     * @return the mailbox; close it when done
     * @throws IllegalStateException when the turn's mailbox is claimed already
     * @throws dev.codex4j.errors.TurnDiscardedException when its messages were discarded
     * @throws TransportClosedException when the connection is closed
     */
    public TurnMailbox turnMailbox(String threadId, String turnId) {
        return router.claim(threadId, turnId);
    }

    /**
     * @param silentFor how long without a message
     * @return the turns with a reservation that have not ended and heard nothing for that long
     */
    public List<TurnMailbox> silentTurns(Duration silentFor) {
        return router.silentTurns(System.nanoTime() - silentFor.toNanos());
    }

    /** @return bytes held (with per-message overhead) for turns nobody has claimed */
    public long heldBytes() {
        return router.heldBytes();
    }

    /** @return how many turns nobody has claimed are held (discarded ones included) */
    public int heldTurns() {
        return router.heldTurns();
    }

    /** @return bytes (with per-message overhead) in claimed turns that no consumer reads */
    public long unconsumedBytes() {
        return router.unconsumedBytes();
    }

    /** @return how many turn routes the router has (for leak checks) */
    public int routeCount() {
        return router.routes();
    }

    /** @return what the connection did so far */
    public RuntimeStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** @return the dispatcher's lag in its last read batch, in nanoseconds (0 before the first) */
    public long dispatcherLagNanos() {
        return stats.lastBatchLagNanos();
    }

    // ---------------------------------------------------------------- subscriptions and handlers

    /**
     * Listens to notifications that name this thread but no turn ({@code thread/status/changed},
     * {@code thread/name/updated}, ...), on a virtual thread of this subscription's own, one
     * message at a time, in order; a slow listener delays nobody else.
     *
     * @param threadId the thread
     * @param listener receives each message
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeThread(String threadId, Consumer<Inbound> listener) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(listener, "listener");
        return router.subscribeThread(threadId, listener,
                s -> threads.startVirtual("codex4j-thread-" + threadId, s::run));
    }

    /**
     * {@link #subscribeThread(String, Consumer)} with a bound, and optionally the thread's turn
     * notifications too (copies: the turns' mailboxes get them as well). When {@code capacity}
     * messages wait for the listener, the oldest is dropped for each new one (counted by
     * {@link Subscription#dropped()}, one WARNING logged).
     *
     * @param threadId the thread
     * @param listener receives each message
     * @param capacity the most messages waiting for the listener
     * @param withTurns whether the notifications of the thread's turns come too
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeThread(String threadId, Consumer<Inbound> listener, int capacity, boolean withTurns) {
        return subscribeThread(threadId, listener, capacity, withTurns, Duration.ZERO);
    }

    /**
     * {@link #subscribeThread(String, Consumer, int, boolean)} with a latency budget: a message
     * waits at most {@code latencyBudget} plus the dispatcher's window before the listener's thread
     * is woken for it; within that, it is woken at most once per budget while messages keep
     * coming, and at once for an {@code error}, {@code turn/completed} or half its capacity.
     *
     * @param threadId the thread
     * @param listener receives each message
     * @param capacity the most messages waiting for the listener
     * @param withTurns whether the notifications of the thread's turns come too
     * @param latencyBudget how long a message may wait for the listener ({@link Duration#ZERO}: every read batch)
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeThread(String threadId, Consumer<Inbound> listener, int capacity, boolean withTurns,
            Duration latencyBudget) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(listener, "listener");
        return router.subscribeThread(threadId, listener, capacity, withTurns, Router.budgetNanos(latencyBudget),
                s -> threads.startVirtual("codex4j-thread-" + threadId, s::run));
    }

    /**
     * {@link #subscribeGlobal(Consumer)} with a bound: when {@code capacity} messages wait for the
     * listener, the oldest is dropped for each new one (counted by {@link Subscription#dropped()},
     * one WARNING logged).
     *
     * @param listener receives each message
     * @param capacity the most messages waiting for the listener
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeGlobal(Consumer<Inbound> listener, int capacity) {
        return subscribeGlobal(listener, capacity, Duration.ZERO);
    }

    /**
     * {@link #subscribeGlobal(Consumer, int)} with a latency budget (see
     * {@link #subscribeThread(String, Consumer, int, boolean, Duration)}).
     *
     * @param listener receives each message
     * @param capacity the most messages waiting for the listener
     * @param latencyBudget how long a message may wait for the listener ({@link Duration#ZERO}: every read batch)
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeGlobal(Consumer<Inbound> listener, int capacity, Duration latencyBudget) {
        Objects.requireNonNull(listener, "listener");
        return router.subscribeGlobal(listener, capacity, Router.budgetNanos(latencyBudget),
                s -> threads.startVirtual("codex4j-global-listener", s::run));
    }

    /**
     * Listens to notifications that name no thread ({@code account/rateLimits/updated},
     * {@code configWarning}, ...), on a virtual thread of this subscription's own, in order.
     *
     * @param listener receives each message
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeGlobal(Consumer<Inbound> listener) {
        Objects.requireNonNull(listener, "listener");
        return router.subscribeGlobal(listener, s -> threads.startVirtual("codex4j-global-listener", s::run));
    }

    /**
     * Sets the handler for server requests that no reservation or thread handler takes. The
     * initial one answers every request with error -32601 "unhandled server request &lt;method&gt;".
     *
     * @param handler the handler
     */
    public void serverRequestHandler(ServerRequestHandler handler) {
        router.globalHandler(Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Sets the handler for server requests of one thread, used when the thread's reservation has
     * no handler of its own.
     *
     * @param threadId the thread
     * @param handler the handler
     * @return a subscription; closing it removes this handler
     */
    public Subscription threadServerRequestHandler(String threadId, ServerRequestHandler handler) {
        return router.threadHandler(Objects.requireNonNull(threadId, "threadId"), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Runs {@code task} on the connection's scheduler every {@code period} until the connection
     * closes. The task must be short and must not block (start a virtual thread for real work).
     *
     * @param task the task
     * @param period how often
     */
    public void every(Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        long p = Math.max(1, period.toMillis());
        try {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A periodic task failed", e);
                }
            }, p, p, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed: nothing to run
        }
    }

    /**
     * Starts {@code task} on a virtual thread of the connection (interrupted and awaited by
     * {@link #close()}, listed by {@link #liveThreads()}).
     *
     * @param name the thread's name
     * @param task the task
     */
    public void startThread(String name, Runnable task) {
        threads.startVirtual(name, task);
    }

    /**
     * Runs {@code listener} once, on a virtual thread, when the connection closes for any reason
     * (at once if it already has).
     *
     * @param listener receives the reason
     */
    public void onClose(Consumer<? super TransportClosedException> listener) {
        Objects.requireNonNull(listener, "listener");
        closeListeners.add(listener);
        TransportClosedException c = closure.cause();
        if (c != null && closeListeners.remove(listener)) {
            runCloseListener(listener, c);
        }
    }

    private static JsonNode unhandled(Inbound request) {
        throw new ServerRequestException(RpcError.METHOD_NOT_FOUND, "unhandled server request " + request.method());
    }

    // ---------------------------------------------------------------- lifecycle

    private void dispatchUntilEnd(Dispatcher d) {
        Throwable failure = d.run();
        if (closure.isClosed()) {
            return; // closed by the client: close() does the rest
        }
        String reason;
        if (failure == null) {
            reason = "The app-server closed its output";
        } else if (failure instanceof LineTooLongException l) {
            reason = l.getMessage();
        } else if (failure instanceof IOException) {
            reason = "Reading from the app-server failed: " + failure.getMessage();
        } else {
            LOG.log(Level.ERROR, "The dispatcher failed", failure);
            reason = "The dispatcher failed: " + failure;
        }
        OptionalInt exit = failure instanceof LineTooLongException ? transport.exitCode() : transport.awaitExit(EXIT_GRACE);
        LOG.log(Level.DEBUG, () -> reason + ", exit " + exit);
        if (fail(reason, boxed(exit), transport.stderrTail(), failure, false)) {
            // Release what the dead peer still holds; close() (if called) waits for this.
            transport.close();
            scheduler.shutdownNow();
        }
    }

    /** @return true until the connection closes or the server goes away */
    public boolean isOpen() {
        return !closure.isClosed();
    }

    /** @return why the connection ended, or {@code null} while it is open */
    public @Nullable TransportClosedException closedCause() {
        return closure.cause();
    }

    /** @return a fresh exception (with the caller's stack) describing why the connection ended */
    public TransportClosedException closedException() {
        return closure.exception();
    }

    /**
     * The threads this connection started that are still alive (the dispatcher, the scheduler,
     * listener and handler threads), so that tests can check that none outlives {@link #close()}.
     *
     * @return the live threads
     */
    public List<Thread> liveThreads() {
        return threads.live();
    }

    /** Fails everything that waits. Runs once; returns whether this call did it. */
    private boolean fail(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause,
            boolean byClient) {
        if (!closure.close(reason, exitCode, stderrTail, cause, byClient)) {
            return false;
        }
        requests.failAll();
        router.wakeAll();
        Waker w = waker;
        if (w != null) {
            w.stop();
        }
        serverRequests.interruptAll(Thread.currentThread());
        TransportClosedException why = Objects.requireNonNull(closure.cause());
        for (Consumer<? super TransportClosedException> l : closeListeners) {
            if (closeListeners.remove(l)) {
                runCloseListener(l, why);
            }
        }
        return true;
    }

    private void runCloseListener(Consumer<? super TransportClosedException> listener, TransportClosedException why) {
        try {
            threads.startVirtual("codex4j-close-listener", () -> {
                try {
                    listener.accept(why);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A close listener failed", e);
                }
            });
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.WARNING, "Could not run a close listener", e);
        }
    }

    /**
     * Closes the connection: fails every pending request, mailbox and subscription with
     * {@link TransportClosedException} (consumers get nothing more from this moment), closes the
     * transport (ending the child process gracefully), and waits for every thread of the
     * connection. Idempotent; bounded by the transport's close timeout plus a few seconds; throws
     * nothing; never interrupts the calling thread, even when it is one of the connection's own
     * (an approval handler or a listener that closes the client).
     */
    @Override
    public void close() {
        Thread me = Thread.currentThread();
        if (!closeLock.tryLock()) {
            if (threads.isOurs(me)) {
                // A listener or handler closing while close() awaits it: waiting here would deadlock.
                return;
            }
            closeLock.lock();
        }
        boolean wasInterrupted = Thread.interrupted();
        try {
            if (closeDone) {
                return;
            }
            fail("The connection was closed by the client", null, "", null, true);
            transport.close();
            scheduler.shutdownNow();
            Thread d = dispatcher;
            if (d != null && d != me) {
                d.join(THREAD_GRACE);
                if (d.isAlive()) {
                    // A stream whose close does not wake its reader; an interrupt usually does.
                    d.interrupt();
                }
            }
            scheduler.awaitTermination(THREAD_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            List<Thread> survivors = threads.await(THREAD_GRACE, me);
            if (!survivors.isEmpty()) {
                survivors.forEach(Thread::interrupt);
                survivors = threads.await(Duration.ofMillis(500), me);
            }
            if (!survivors.isEmpty()) {
                LOG.log(Level.WARNING, "Threads still running after close (blocked in user code?): " + survivors);
            }
        } catch (InterruptedException e) {
            wasInterrupted = true;
        } finally {
            closeDone = true;
            closeLock.unlock();
            if (wasInterrupted) {
                me.interrupt();
            }
        }
    }

    private static @Nullable Integer boxed(OptionalInt i) {
        return i.isPresent() ? i.getAsInt() : null;
    }
}
