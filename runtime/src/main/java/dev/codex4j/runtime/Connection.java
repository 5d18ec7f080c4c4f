package dev.codex4j.runtime;

import dev.codex4j.protocol.CodexRpcException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.ProtocolException;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.RequestTimeoutException;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.protocol.ServerOverloadedException;
import dev.codex4j.protocol.TransportClosedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A JSON-RPC connection to an app-server, run as a small set of actors.
 *
 * <p>One virtual thread, the dispatcher ({@code codex4j-dispatcher}), reads every line the
 * server writes, reads only its routing keys, and hands it on without ever waiting for a
 * consumer: responses complete their request; notifications of a turn go to that turn's
 * {@link TurnMailbox}; thread-level ones to {@link #subscribeThread thread subscribers}; the rest
 * to {@link #subscribeGlobal global subscribers}; server requests run their handler on a new
 * virtual thread. Requests are written by the calling thread.
 *
 * <p>When the server exits or its output ends, everything waiting fails promptly with a
 * {@link TransportClosedException} that carries the exit code and stderr tail. {@link #close()}
 * is idempotent and bounded, and afterwards no process and no thread of the connection is left.
 *
 * <pre>{@code
 * try (Connection c = Connection.open(StdioTransport.start(launch, Duration.ofSeconds(5)),
 *         ConnectionOptions.defaults())) {
 *     c.request("initialize", initParams).join();
 *     c.notify("initialized", ProtocolCodec.emptyObject());
 *     String threadId = c.request("thread/start", ProtocolCodec.emptyObject()).join()
 *             .path("thread").path("id").asString();
 *     JsonNode turn = c.request("turn/start", turnParams).join();
 *     try (TurnMailbox box = c.turnMailbox(threadId, turn.path("turn").path("id").asString())) {
 *         Inbound in;
 *         do {
 *             in = box.take(Duration.ofMinutes(5));
 *         } while (in != null && !"turn/completed".equals(in.method()));
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
    private final AtomicLong nextId = new AtomicLong();
    /** Requests awaiting a reply, by the id of their current attempt. */
    private final ConcurrentHashMap<RequestId, PendingCall> pending = new ConcurrentHashMap<>();
    /** Every request not yet completed, including those waiting to be retried. */
    private final Set<PendingCall> calls = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, MpscParkingMailbox> turns = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<MpscParkingSubscription>> threadSubscribers =
            new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<MpscParkingSubscription> globalSubscribers = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, ServerRequestHandler> threadHandlers = new ConcurrentHashMap<>();
    /** Threads with a turn/start in flight, and how many: their unclaimed turns are never bounded. */
    private final ConcurrentHashMap<String, Integer> startingThreads = new ConcurrentHashMap<>();
    private final Set<Thread> handlerThreads = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Consumer<? super TransportClosedException>> closeListeners =
            new CopyOnWriteArrayList<>();
    private final MpscParkingMailbox.HeldBudget heldBudget = new MpscParkingMailbox.HeldBudget();
    private final AtomicReference<@Nullable Closed> closed = new AtomicReference<>();
    private final ReentrantLock closeLock = new ReentrantLock();
    private volatile ServerRequestHandler globalHandler = Connection::unhandled;
    private volatile boolean closeDone;
    private @Nullable Thread dispatcher;

    /** Why the connection ended; {@code first} is what closedCause() reports. */
    private record Closed(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause,
            TransportClosedException first) {}

    /** A request in flight, across its overload retries. */
    private static final class PendingCall {
        final String method;
        final JsonNode params;
        final Duration timeout;
        final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        /** Set by the one completion that wins; the future itself completes later, off-thread. */
        final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        volatile @Nullable RequestId currentId;
        volatile @Nullable ScheduledFuture<?> deadline;
        int attempts; // written by the dispatcher only

        PendingCall(String method, JsonNode params, Duration timeout) {
            this.method = method;
            this.params = params;
            this.timeout = timeout;
        }
    }

    private Connection(Transport transport, ConnectionOptions options) {
        this.transport = transport;
        this.options = options;
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads.platformFactory("codex4j-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Opens a connection over a transport it then owns, and starts the dispatcher.
     *
     * @param transport the link to the server; closed with the connection
     * @param options timeouts, retries and bounds
     * @return the open connection
     */
    public static Connection open(Transport transport, ConnectionOptions options) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(options, "options");
        Connection c = new Connection(transport, options);
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
        scheduler.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        dispatcher = threads.startVirtual("codex4j-dispatcher", this::dispatch);
    }

    /** @return the options this connection runs with */
    public ConnectionOptions options() {
        return options;
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
     * Sends a request. The returned future completes on a thread of its own (never the
     * dispatcher), so dependent stages may block.
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
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(timeout, "timeout");
        PendingCall call = new PendingCall(method, params, timeout);
        calls.add(call);
        if (closed.get() != null) {
            calls.remove(call);
            call.result.completeExceptionally(closedException());
            return call.result;
        }
        try {
            call.deadline = scheduler.schedule(() -> timedOut(call), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            calls.remove(call);
            call.result.completeExceptionally(closedException());
            return call.result;
        }
        send(call);
        return call.result;
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
        if (closed.get() != null) {
            throw closedException();
        }
        String line = ProtocolCodec.encode(new JsonRpcMessage.Notification(method, params, null));
        try {
            transport.writeLine(line);
        } catch (IOException e) {
            throw writeFailed(method, e);
        }
    }

    private void send(PendingCall call) {
        if (call.settled.get()) {
            return;
        }
        RequestId id = RequestId.of(nextId.getAndIncrement());
        call.currentId = id;
        pending.put(id, call);
        if (call.settled.get()) {
            pending.remove(id, call); // timed out while we were getting ready
            return;
        }
        if (closed.get() != null) {
            // failAll may have swept the table before our put.
            pending.remove(id, call);
            complete(call, null, closedException());
            return;
        }
        String line = ProtocolCodec.encode(new JsonRpcMessage.Request(id, call.method, call.params));
        try {
            transport.writeLine(line);
        } catch (IOException | RuntimeException e) {
            pending.remove(id, call);
            complete(call, null, closed.get() != null ? closedException() : writeFailed(call.method, e));
        }
    }

    private TransportClosedException writeFailed(String method, Exception e) {
        return new TransportClosedException("Could not send " + method + ": " + e.getMessage(),
                boxed(transport.exitCode()), transport.stderrTail(), e);
    }

    private void timedOut(PendingCall call) {
        RequestId id = call.currentId;
        if (id != null) {
            pending.remove(id, call);
        }
        complete(call, null, new RequestTimeoutException(call.method, call.timeout));
    }

    /**
     * Completes a call on a new virtual thread: the caller's dependent stages run on the
     * completing thread, and that must never be the dispatcher or the scheduler.
     */
    private void complete(PendingCall call, @Nullable JsonNode result, @Nullable Throwable error) {
        if (!call.settled.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> deadline = call.deadline;
        if (deadline != null) {
            deadline.cancel(false);
        }
        calls.remove(call);
        Runnable task = () -> {
            if (error != null) {
                call.result.completeExceptionally(error);
            } else {
                call.result.complete(result);
            }
        };
        try {
            threads.startVirtual("codex4j-callback", task);
        } catch (RuntimeException | OutOfMemoryError e) {
            task.run();
        }
    }

    private void onResponse(RoutingKeys keys, String line) {
        JsonRpcMessage message = ProtocolCodec.decode(line);
        RequestId id = keys.id();
        if (id == null) {
            if (message instanceof JsonRpcMessage.ErrorResponse e) {
                LOG.log(Level.WARNING, "The app-server reported an error for no request: " + e.error());
            }
            return;
        }
        PendingCall call = pending.remove(id);
        if (call == null) {
            LOG.log(Level.DEBUG, () -> "Reply to unknown or timed-out request " + id + " ignored");
            return;
        }
        switch (message) {
            case JsonRpcMessage.Response r -> complete(call, r.result(), null);
            case JsonRpcMessage.ErrorResponse e -> {
                RpcError error = e.error();
                if (ServerOverloadedException.matches(error) && call.attempts < options.overloadRetries()
                        && !call.settled.get()) {
                    call.attempts++;
                    long delay = retryDelayNanos(call.attempts);
                    LOG.log(Level.DEBUG, () -> call.method + " overloaded; retry " + call.attempts + " in "
                            + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
                    try {
                        scheduler.schedule(() -> threads.startVirtual("codex4j-retry", () -> send(call)),
                                delay, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException rejected) {
                        complete(call, null, closedException());
                    }
                } else {
                    complete(call, null, CodexRpcException.of(call.method, error));
                }
            }
            default -> LOG.log(Level.WARNING, "Expected a reply to " + id + " but got " + message);
        }
    }

    /** Exponential backoff with "equal jitter": half the delay fixed, half random. */
    private long retryDelayNanos(int attempt) {
        long max = options.retryMaxDelay().toNanos();
        long exp = Math.min(options.retryInitialDelay().toNanos(), max);
        for (int i = 1; i < attempt && exp < max; i++) {
            exp = exp > max / 2 ? max : exp * 2;
        }
        long half = exp / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    // ---------------------------------------------------------------- routing

    /**
     * Claims the mailbox of a turn. Messages of the turn that arrived before, even its
     * {@code turn/completed}, are already in it, in order.
     *
     * @param threadId the turn's thread
     * @param turnId the turn
     * @return the mailbox, for one consumer
     * @throws IllegalStateException when the turn's mailbox was claimed before
     */
    public TurnMailbox turnMailbox(String threadId, String turnId) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(turnId, "turnId");
        for (;;) {
            MpscParkingMailbox box = turns.computeIfAbsent(turnId, id -> new MpscParkingMailbox(this, threadId, id));
            if (box.claim(threadId)) {
                return box;
            }
            turns.remove(turnId, box);
        }
    }

    /**
     * Listens to a thread's notifications that name no turn ({@code thread/status/changed},
     * {@code thread/started}, ...). The listener runs on a virtual thread of this subscription's
     * own, one message at a time, in order; a slow listener delays nobody else.
     *
     * @param threadId the thread
     * @param listener receives each message
     * @return the subscription; close it to stop listening
     */
    public Subscription subscribeThread(String threadId, Consumer<Inbound> listener) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(listener, "listener");
        MpscParkingSubscription[] self = new MpscParkingSubscription[1];
        // Add and remove inside compute: an empty list must never be dropped while someone adds to it.
        self[0] = new MpscParkingSubscription(this, listener, () -> threadSubscribers.computeIfPresent(threadId,
                (k, v) -> {
                    v.remove(self[0]);
                    return v.isEmpty() ? null : v;
                }));
        threadSubscribers.compute(threadId, (k, v) -> {
            CopyOnWriteArrayList<MpscParkingSubscription> list = v != null ? v : new CopyOnWriteArrayList<>();
            list.add(self[0]);
            return list;
        });
        threads.startVirtual("codex4j-thread-" + threadId, self[0]::run);
        return self[0];
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
        MpscParkingSubscription[] self = new MpscParkingSubscription[1];
        self[0] = new MpscParkingSubscription(this, listener, () -> globalSubscribers.remove(self[0]));
        globalSubscribers.add(self[0]);
        threads.startVirtual("codex4j-global-listener", self[0]::run);
        return self[0];
    }

    /**
     * Sets the handler for server requests that no turn or thread handler takes. The initial one
     * answers every request with error -32601 "unhandled server request &lt;method&gt;".
     *
     * @param handler the handler
     */
    public void serverRequestHandler(ServerRequestHandler handler) {
        this.globalHandler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Sets the handler for server requests of one thread, used when the request's turn has no
     * handler of its own. Unlike a turn's handler, it can be in place before {@code turn/start} is
     * sent, so it also catches a request that arrives before the turn's mailbox is claimed.
     *
     * @param threadId the thread
     * @param handler the handler
     * @return a subscription; closing it removes this handler
     */
    public Subscription threadServerRequestHandler(String threadId, ServerRequestHandler handler) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(handler, "handler");
        threadHandlers.put(threadId, handler);
        return () -> threadHandlers.remove(threadId, handler);
    }

    /**
     * Says that a {@code turn/start} for this thread is about to be sent: until the returned
     * registration is closed (once the turn's mailbox is claimed), messages of unclaimed turns of
     * this thread are never dropped by the held-message bounds, because they belong to a turn
     * somebody is starting.
     *
     * @param threadId the thread
     * @return the registration; close it after claiming the turn's mailbox (or when the start failed)
     */
    public Subscription expectTurn(String threadId) {
        Objects.requireNonNull(threadId, "threadId");
        startingThreads.merge(threadId, 1, Integer::sum);
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                startingThreads.computeIfPresent(threadId, (k, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    boolean isStarting(@Nullable String threadId) {
        return threadId != null && startingThreads.containsKey(threadId);
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
        Closed c = closed.get();
        if (c != null && closeListeners.remove(listener)) {
            runCloseListener(listener, c.first);
        }
    }

    private void dispatch() {
        IOException failure = null;
        try {
            String line;
            while ((line = transport.readLine()) != null) {
                route(line);
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "The dispatcher failed", e);
            failure = new IOException("dispatcher failed: " + e, e);
        }
        if (closed.get() != null) {
            return; // closed by the client: close() does the rest
        }
        OptionalInt exit = transport.awaitExit(EXIT_GRACE);
        String reason = failure == null ? "The app-server closed its output"
                : "Reading from the app-server failed: " + failure.getMessage();
        LOG.log(Level.DEBUG, () -> reason + ", exit " + exit);
        if (fail(reason, boxed(exit), transport.stderrTail(), failure)) {
            // Release what the dead peer still holds; close() (if called) waits for this.
            transport.close();
            scheduler.shutdownNow();
        }
    }

    private void route(String line) {
        if (line.isEmpty()) {
            return;
        }
        RoutingKeys keys;
        try {
            keys = RoutingKeys.read(line);
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "Skipping a line the app-server wrote: " + e.getMessage());
            return;
        }
        try {
            switch (keys.kind()) {
                case NOTIFICATION -> routeNotification(new Inbound(keys, line));
                case RESPONSE, ERROR -> onResponse(keys, line);
                case REQUEST -> onServerRequest(keys, line);
            }
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "Skipping a line the app-server wrote: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Could not route " + keys, e);
        }
    }

    private void routeNotification(Inbound in) {
        RoutingKeys keys = in.keys();
        String turnId = keys.turnId();
        if (turnId != null) {
            for (;;) {
                MpscParkingMailbox box = turns.get(turnId);
                if (box == null) {
                    box = turns.computeIfAbsent(turnId, id -> new MpscParkingMailbox(this, keys.threadId(), id));
                }
                if (box.deliver(in, options, heldBudget) != MpscParkingMailbox.Outcome.STALE) {
                    return;
                }
                turns.remove(turnId, box);
            }
        }
        String threadId = keys.threadId();
        List<MpscParkingSubscription> targets = threadId != null ? threadSubscribers.get(threadId) : globalSubscribers;
        if (targets == null || targets.isEmpty()) {
            LOG.log(Level.DEBUG, () -> "No listener for " + keys.method() + (threadId == null ? "" : " of thread " + threadId));
            return;
        }
        for (MpscParkingSubscription s : targets) {
            s.offer(in);
        }
    }

    private void onServerRequest(RoutingKeys keys, String line) {
        if (!(ProtocolCodec.decode(line) instanceof JsonRpcMessage.Request request)) {
            return;
        }
        ServerRequestHandler handler = null;
        if (keys.turnId() != null) {
            MpscParkingMailbox box = turns.get(keys.turnId());
            if (box != null && box.state() == MpscParkingMailbox.State.CLAIMED) {
                handler = box.handler();
            }
        }
        if (handler == null && keys.threadId() != null) {
            handler = threadHandlers.get(keys.threadId());
        }
        if (handler == null) {
            handler = globalHandler;
        }
        ServerRequestHandler chosen = handler;
        threads.startVirtual("codex4j-server-request", () -> answer(request, chosen));
    }

    private void answer(JsonRpcMessage.Request request, ServerRequestHandler handler) {
        Thread me = Thread.currentThread();
        handlerThreads.add(me);
        JsonRpcMessage reply;
        try {
            JsonNode result = handler.handle(request);
            reply = result != null ? new JsonRpcMessage.Response(request.id(), result)
                    : error(request, RpcError.INTERNAL_ERROR, "the handler of " + request.method() + " returned no result");
        } catch (ServerRequestException e) {
            reply = error(request, e.code(), String.valueOf(e.getMessage()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.DEBUG, () -> "The handler of " + request.method() + " failed", e);
            reply = error(request, RpcError.INTERNAL_ERROR, e.getMessage() != null ? e.getMessage() : e.toString());
        } finally {
            handlerThreads.remove(me);
        }
        if (closed.get() != null) {
            return;
        }
        try {
            transport.writeLine(ProtocolCodec.encode(reply));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Could not answer " + request.method() + " " + request.id(), e);
        }
    }

    private static JsonRpcMessage error(JsonRpcMessage.Request request, int code, String message) {
        return new JsonRpcMessage.ErrorResponse(request.id(), new RpcError(code, message, null));
    }

    private static JsonNode unhandled(JsonRpcMessage.Request request) {
        throw new ServerRequestException(RpcError.METHOD_NOT_FOUND, "unhandled server request " + request.method());
    }

    /** Scheduler: expires unclaimed turns and forgets finished ones. */
    private void sweep() {
        long now = System.nanoTime();
        Duration ttl = options.heldMessageTtl();
        for (MpscParkingMailbox box : turns.values()) {
            if (box.expireIfUnclaimed(now, ttl, heldBudget) || box.removable(now, ttl)) {
                turns.remove(box.turnId(), box);
            }
        }
    }

    MpscParkingMailbox.HeldBudget heldBudget() {
        return heldBudget;
    }

    /** @return how many messages are held for unclaimed turns right now */
    public int heldMessageCount() {
        return heldBudget.total();
    }

    // ---------------------------------------------------------------- supervision

    /** @return true until the connection closes or the server goes away */
    public boolean isOpen() {
        return closed.get() == null;
    }

    /** @return why the connection ended, or {@code null} while it is open */
    public @Nullable TransportClosedException closedCause() {
        Closed c = closed.get();
        return c == null ? null : c.first;
    }

    /** A fresh exception (with the caller's stack) describing why the connection ended. */
    TransportClosedException closedException() {
        Closed c = closed.get();
        if (c == null) {
            return new TransportClosedException("The connection is closed", null, "", null);
        }
        return new TransportClosedException(c.reason, c.exitCode, c.stderrTail, c.cause);
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
    private boolean fail(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause) {
        TransportClosedException first = new TransportClosedException(reason, exitCode, stderrTail, cause);
        if (!closed.compareAndSet(null, new Closed(reason, exitCode, stderrTail, cause, first))) {
            return false;
        }
        // calls, not pending: a request waiting for its retry is in no id table.
        for (PendingCall call : calls) {
            RequestId id = call.currentId;
            if (id != null) {
                pending.remove(id, call);
            }
            complete(call, null, new TransportClosedException(reason, exitCode, stderrTail, cause));
        }
        for (MpscParkingMailbox box : turns.values()) {
            box.wake();
        }
        for (MpscParkingSubscription s : globalSubscribers) {
            s.wake();
        }
        for (List<MpscParkingSubscription> list : threadSubscribers.values()) {
            for (MpscParkingSubscription s : list) {
                s.wake();
            }
        }
        for (Thread t : handlerThreads) {
            t.interrupt();
        }
        for (Consumer<? super TransportClosedException> l : closeListeners) {
            if (closeListeners.remove(l)) {
                runCloseListener(l, first);
            }
        }
        return true;
    }

    private void runCloseListener(Consumer<? super TransportClosedException> listener, TransportClosedException why) {
        threads.startVirtual("codex4j-close-listener", () -> {
            try {
                listener.accept(why);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A close listener failed", e);
            }
        });
    }

    /**
     * Closes the connection: fails every pending request, mailbox and subscription with
     * {@link TransportClosedException}, closes the transport (ending the child process), and
     * waits for every thread of the connection. Idempotent; bounded by the transport's close
     * timeout plus a few seconds; throws nothing.
     */
    @Override
    public void close() {
        if (!closeLock.tryLock()) {
            if (threads.isOurs(Thread.currentThread())) {
                // A listener or handler closing while close() awaits it: waiting here would deadlock.
                return;
            }
            closeLock.lock();
        }
        try {
            if (closeDone) {
                return;
            }
            fail("The connection was closed by the client", null, "", null);
            transport.close();
            scheduler.shutdownNow();
            Thread me = Thread.currentThread();
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
            Thread.currentThread().interrupt();
        } finally {
            closeDone = true;
            closeLock.unlock();
        }
    }

    private static @Nullable Integer boxed(OptionalInt i) {
        return i.isPresent() ? i.getAsInt() : null;
    }
}
