package dev.codex4j.internal.runtime;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Requests in flight: ids, deadlines, overload retries, replies. A call is settled exactly once,
 * by whichever comes first of its reply (the dispatcher), its deadline (the scheduler), a write
 * failure (the sender), the caller's interruption or the connection's end; that one compare-and-set
 * ({@code settled}) is the owner of its outcome. The tables themselves are concurrent maps: the
 * sender inserts, the settler removes.
 *
 * <p>Each attempt is written by a virtual thread of its own ({@code codex4j-send}), never by the
 * caller: a server that stops reading its input (hung, or stopped) fills the pipe and blocks the
 * write, and the caller's wait must still end at its deadline. An attempt whose call has settled
 * before its turn to write is not written.
 *
 * <p>A reply is settled as its line ({@link Inbound}: the bytes and the keys the dispatcher's
 * scanner read), never decoded on the dispatcher: the thread that waits for it binds it. A blocking
 * call ({@link #call}) is completed on the settling thread (the dispatcher for a reply), which only
 * unparks its waiter; the waiter binds the line (the SDK streams {@code result} into its generated
 * type with {@code TypedCodec.result(method, bytes, ...)}). A future handed out ({@link #request})
 * is completed on a virtual thread of its own ({@code codex4j-callback}), which decodes the result,
 * because a {@code CompletableFuture} runs dependent stages on the completing thread, and that must
 * never be the dispatcher or the scheduler. An error reply, rare, is decoded (and its overload
 * retry decided) on a {@code codex4j-callback} thread too.
 */
final class RequestTable {
    private static final System.Logger LOG = System.getLogger(RequestTable.class.getName());

    private final LineWriter writer;
    private final RetryPolicy policy;
    private final Timers timers;
    private final Executor sender;
    private final Executor completer;
    private final Closure closure;
    private final RuntimeStats stats;
    private final Function<Throwable, TransportClosedException> writeFailure;
    private final RuntimeEvents events;
    /** The tracer of requests, or null (the default: no span, no {@code trace} member). */
    private final @Nullable RequestTracer tracer;
    /** Whether {@link #events} is someone's: when not, no time is taken. */
    private final boolean observed;
    /** Error replies that name no request: a broken server may send them without end. */
    private final RateLimitedLog orphanErrors = new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.MINUTES.toNanos(1));
    private final AtomicLong nextId = new AtomicLong();
    /** Calls awaiting a reply, by the id of their current attempt. */
    private final ConcurrentHashMap<RequestId, Call> pending = new ConcurrentHashMap<>();
    /** Every call not yet settled, including those waiting to be sent again. */
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();

    /** @return whether some request waits for its reply (the dispatcher keeps its base window then) */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** A request in flight, across its overload retries. */
    private static final class Call {
        final String method;
        final JsonNode params;
        final Duration timeout;
        /** A blocking call's reply line (null for an async call). */
        final @Nullable CompletableFuture<Inbound> reply;
        /** An async call's decoded result (null for a blocking call). */
        final @Nullable CompletableFuture<JsonNode> result;
        final AtomicBoolean settled = new AtomicBoolean();
        /** Whether the future is handed out (then it completes off the settling thread). */
        final boolean async;
        volatile @Nullable RequestId currentId;
        volatile Timers.@Nullable Timer deadline;
        /** Set before the first write attempt: from then on the server may have acted on it. */
        volatile boolean written;
        /** Written by whoever handles its error reply (one reply at a time per call). */
        int retries;
        /** When it was started, if someone observes requests (else 0). */
        long startNanos;
        /** Its flight-recorder event, while a recording wants it (else null). */
        JfrEvents.@Nullable Request jfr;
        /** Its trace span, when a tracer traces it (else null): its context goes into every attempt. */
        RequestTracer.@Nullable Span span;

        Call(String method, JsonNode params, Duration timeout, boolean async) {
            this.method = method;
            this.params = params;
            this.timeout = timeout;
            this.async = async;
            this.reply = async ? null : new CompletableFuture<>();
            this.result = async ? new CompletableFuture<>() : null;
        }
    }

    RequestTable(LineWriter writer, RetryPolicy policy, Timers timers, Executor sender, Executor completer,
            Closure closure, RuntimeStats stats, Function<Throwable, TransportClosedException> writeFailure,
            RuntimeEvents events) {
        this(writer, policy, timers, sender, completer, closure, stats, writeFailure, events, null);
    }

    RequestTable(LineWriter writer, RetryPolicy policy, Timers timers, Executor sender, Executor completer,
            Closure closure, RuntimeStats stats, Function<Throwable, TransportClosedException> writeFailure,
            RuntimeEvents events, @Nullable RequestTracer tracer) {
        this.events = events;
        this.tracer = tracer;
        this.observed = events != RuntimeEvents.NONE;
        this.writer = writer;
        this.policy = policy;
        this.timers = timers;
        this.sender = sender;
        this.completer = completer;
        this.closure = closure;
        this.stats = stats;
        this.writeFailure = writeFailure;
    }

    /** Any thread: sends a request; see {@link Connection#request(String, JsonNode, Duration)}. */
    CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        return Objects.requireNonNull(start(method, params, timeout, true).result);
    }

    /**
     * Any thread: sends a request and waits for its reply line (a successful response; an error
     * reply is thrown); see {@link Connection#callForReply(String, JsonNode, Duration)}.
     */
    Inbound call(String method, JsonNode params, Duration timeout) throws InterruptedException {
        Call call = start(method, params, timeout, false);
        try {
            return Objects.requireNonNull(call.reply).get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                re.addSuppressed(new dev.codex4j.errors.CodexException("waited for the reply to " + method + " here"));
                throw re;
            }
            throw new dev.codex4j.errors.CodexException(String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            // Abandoned: not sent if it was not written yet; a late reply is ignored.
            settle(call, null, new java.util.concurrent.CancellationException("the caller was interrupted"));
            throw e;
        }
    }

    private Call start(String method, JsonNode params, Duration timeout, boolean async) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(timeout, "timeout");
        Call call = new Call(method, params, timeout, async);
        if (observed) {
            call.startNanos = System.nanoTime();
            events.requestStarted(method);
        }
        if (tracer != null) {
            call.span = tracer.start(method); // on the caller's thread: its current context is the parent
        }
        if (JfrEvents.recorderStarted()) {
            JfrEvents.Request jfr = new JfrEvents.Request();
            if (jfr.isEnabled()) {
                jfr.begin();
                call.jfr = jfr;
            }
        }
        calls.add(call);
        if (closure.isClosed()) {
            settle(call, null, closure.exception(true));
            return call;
        }
        try {
            call.deadline = timers.schedule(() -> timedOut(call), timeout.toNanos());
        } catch (RejectedExecutionException e) {
            settle(call, null, closure.exception(true));
            return call;
        }
        // Written by a thread of its own, never the caller's: a server that stops reading its input
        // blocks the write, and the caller's wait must still end at the deadline.
        sendOffCaller(call);
        return call;
    }

    private void send(Call call) {
        if (call.settled.get()) {
            return;
        }
        RequestId id = RequestId.of(nextId.getAndIncrement());
        call.currentId = id;
        pending.put(id, call);
        if (call.settled.get() || closure.isClosed()) {
            // Timed out meanwhile, or failAll swept the table before our put.
            pending.remove(id, call);
            settle(call, null, closure.isClosed() ? lost(call) : null);
            return;
        }
        String line = encode(id, call);
        stats.requests.increment();
        boolean writtenBefore = call.written;
        call.written = true;
        try {
            writer.write(line);
        } catch (IOException | RuntimeException e) {
            if (e instanceof LinkClosedException) {
                call.written = writtenBefore; // not one byte of this attempt left: the server cannot have seen it
            }
            pending.remove(id, call);
            settle(call, null, closure.isClosed() ? lost(call) : writeFailure.apply(
                    new IOException("Could not send " + call.method + ": " + e.getMessage(), e)));
        }
    }

    /** The request's line, with its span's W3C trace context as its {@code trace} member when traced. */
    private static String encode(RequestId id, Call call) {
        JsonRpcMessage.Request request = new JsonRpcMessage.Request(id, call.method, call.params);
        RequestTracer.Span span = call.span;
        String traceparent = span == null ? null : span.traceparent();
        if (traceparent == null) {
            return ProtocolCodec.encode(request);
        }
        tools.jackson.databind.node.ObjectNode tree = ProtocolCodec.toTree(request);
        tools.jackson.databind.node.ObjectNode trace = tree.putObject("trace");
        trace.put("traceparent", traceparent);
        String tracestate = span.tracestate();
        if (tracestate != null && !tracestate.isEmpty()) {
            trace.put("tracestate", tracestate);
        }
        return tree.toString();
    }

    private void timedOut(Call call) {
        RequestId id = call.currentId;
        if (id != null) {
            pending.remove(id, call);
        }
        if (!call.settled.get()) {
            stats.timeouts.increment();
        }
        settle(call, null, new RequestTimeoutException(call.method, call.timeout));
    }

    /** Completes a call once; a null error with a null reply means "already settled elsewhere". */
    private void settle(Call call, @Nullable Inbound result, @Nullable Throwable error) {
        if (result == null && error == null) {
            return;
        }
        if (!call.settled.compareAndSet(false, true)) {
            return;
        }
        Timers.Timer deadline = call.deadline;
        if (deadline != null) {
            deadline.cancel();
        }
        calls.remove(call);
        observeEnd(call, error);
        if (!call.async) {
            complete(call, result, error);
            return;
        }
        try {
            completer.execute(() -> complete(call, result, error));
        } catch (RuntimeException | OutOfMemoryError e) {
            complete(call, result, error);
        }
    }

    /** The settling thread: tells the observer and the flight recorder how the call ended. */
    private void observeEnd(Call call, @Nullable Throwable error) {
        JfrEvents.Request jfr = call.jfr;
        if (jfr != null) {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.method = call.method;
                jfr.retries = call.retries;
                jfr.outcome = outcome(error);
                jfr.commit();
            }
        }
        RequestTracer.Span span = call.span;
        if (span != null) {
            span.end(error);
        }
        if (observed) {
            long nanos = System.nanoTime() - call.startNanos;
            if (error == null) {
                events.requestEnded(call.method, nanos);
            } else {
                events.requestFailed(call.method, nanos, error);
            }
        }
    }

    private static String outcome(@Nullable Throwable error) {
        return switch (error) {
            case null -> "ok";
            case CodexRpcException e -> "error " + e.code();
            case RequestTimeoutException e -> "timeout";
            case TransportClosedException e -> "closed";
            default -> error instanceof java.util.concurrent.CancellationException ? "cancelled" : "failed";
        };
    }

    /**
     * The settling thread for a blocking call (it only unparks the waiter, who binds the line), a
     * {@code codex4j-callback} thread for a future (it decodes the result there).
     */
    private static void complete(Call call, @Nullable Inbound reply, @Nullable Throwable error) {
        CompletableFuture<Inbound> line = call.reply;
        if (line != null) {
            if (error != null) {
                line.completeExceptionally(error);
            } else {
                line.complete(reply);
            }
            return;
        }
        CompletableFuture<JsonNode> result = Objects.requireNonNull(call.result);
        if (error != null) {
            result.completeExceptionally(error);
            return;
        }
        JsonNode decoded;
        try {
            decoded = resultOf(Objects.requireNonNull(reply));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        result.complete(decoded);
    }

    /**
     * The waiting thread: the {@code result} of a reply line, as a tree.
     *
     * @throws ProtocolException when the line is not a valid response
     */
    static JsonNode resultOf(Inbound reply) {
        JsonRpcMessage m = reply.message();
        if (m instanceof JsonRpcMessage.Response r) {
            return r.result();
        }
        throw new ProtocolException("Not a response", reply.text(), null);
    }

    /**
     * Dispatcher: a response or error reply, found by the id the scanner read. Nothing of the line
     * is decoded here: a response is handed to its waiter as the line; an error reply goes to a
     * {@code codex4j-callback} thread, which decodes it and retries or fails the call.
     */
    void onReply(Inbound in) {
        RequestId id = in.id();
        if (id == null) {
            if (in.kind() == RoutingKeys.Kind.ERROR) {
                orphanErrors.log(() -> "The app-server reported an error for no request: " + excerpt(in));
            }
            return;
        }
        Call call = pending.remove(id);
        if (call == null) {
            LOG.log(Level.DEBUG, () -> "Reply to unknown or timed-out request " + id + " ignored");
            return;
        }
        if (in.kind() == RoutingKeys.Kind.RESPONSE) {
            settle(call, in, null);
            return;
        }
        try {
            completer.execute(() -> onError(call, in));
        } catch (RuntimeException | OutOfMemoryError e) {
            settle(call, null, closure.isClosed() ? lost(call) : e);
        }
    }

    private static String excerpt(Inbound in) {
        String text = in.text();
        return text.length() <= 512 ? text : text.substring(0, 512) + "...";
    }

    /** A {@code codex4j-callback} thread: an error reply to {@code call}; retried, or the call fails. */
    private void onError(Call call, Inbound in) {
        JsonRpcMessage message;
        try {
            message = in.message();
        } catch (ProtocolException e) {
            // The scanner accepted it, so this is rare; the call fails instead of hanging.
            settle(call, null, e);
            return;
        }
        switch (message) {
            case JsonRpcMessage.ErrorResponse e -> {
                if (policy.retries(e.error(), call.retries) && !call.settled.get()) {
                    call.retries++;
                    stats.retries.increment();
                    long delay = policy.delayNanos(call.retries);
                    if (observed) {
                        events.requestRetried(call.method, call.retries, delay);
                    }
                    LOG.log(Level.DEBUG, () -> call.method + " overloaded; retry " + call.retries + " in "
                            + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
                    try {
                        timers.schedule(() -> sendOffCaller(call), delay);
                    } catch (RejectedExecutionException ex) {
                        settle(call, null, lost(call));
                    }
                } else {
                    settle(call, null, CodexRpcException.of(call.method, scrubbed(e.error())));
                }
            }
            default -> settle(call, null, new ProtocolException("Not an error reply", in.text(), null));
        }
    }

    /** The error without any secret the SDK sent (a server may quote the request, an API key included). */
    private static RpcError scrubbed(RpcError error) {
        String message = Secrets.scrub(error.message());
        JsonNode data = error.data();
        if (data != null && Secrets.holdsAny(data.toString())) {
            data = ProtocolCodec.objectOf(java.util.Map.of("redacted", Secrets.scrub(data.toString())));
        }
        return message.equals(error.message()) && data == error.data() ? error : new RpcError(error.code(), message, data);
    }

    /** Writes the call's current attempt on a sender thread (never the caller's or the timer's). */
    private void sendOffCaller(Call call) {
        try {
            sender.execute(() -> send(call));
        } catch (RejectedExecutionException e) {
            settle(call, null, lost(call));
        }
    }

    /**
     * Why a call failed when the connection ended: retry-safe (for a lost server) when it was never
     * written or only reads, since then the server cannot have acted on it.
     */
    private TransportClosedException lost(Call call) {
        return closure.exception(!call.written || ReadOnlyMethods.contains(call.method));
    }

    /** After the closure is set: every call fails with why. */
    void failAll() {
        // calls, not pending: a request waiting for its retry is in no id table.
        for (Call call : calls) {
            RequestId id = call.currentId;
            if (id != null) {
                pending.remove(id, call);
            }
            settle(call, null, lost(call));
        }
    }

    /** @return calls not yet settled */
    int inFlight() {
        return calls.size();
    }
}
