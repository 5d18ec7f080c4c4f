package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.internal.runtime.RequestTracer;
import dev.codex4j.ToolInterceptor;
import dev.codex4j.internal.runtime.RuntimeEvents;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.protocol.types.InitializeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The one place the SDK layer reports what it does: connections, turns, server requests and tool
 * calls. Call sites ask the observer for a span at the start of a phase and end it once; the
 * observer fans each fact out to its {@link Sink}s. Today's sinks are the user's
 * {@link CodexEventListener} ({@link SafeListener}) and JDK Flight Recorder ({@link SdkJfr}); an
 * OpenTelemetry or Micrometer sink plugs in the same way. The runtime's own facts (requests,
 * drops) reach the listener through {@link #runtimeEvents()}.
 *
 * <p>A span ends once, whatever path ends it (an {@link AtomicBoolean}), so every server request
 * is reported exactly once: received, then answered. Holds no mutable state of its own.
 */
public final class Observer {
    /**
     * One destination of the observer's facts. Each {@code ...Started}/{@code ...Received} returns
     * the sink's own state for that span (a JFR event, a tracing span), or null, and gets it back
     * when the span ends. Called on the SDK's threads: fast, never blocking; exceptions are the
     * sink's to contain.
     */
    public interface Sink {
        /** @return whether this sink wants anything now (a JFR sink: is a recording on?) */
        default boolean isEnabled() {
            return true;
        }

        /** The handshake succeeded. */
        default void connectionOpened(String link, InitializeResponse server) {}

        /** The connection ended. */
        default void connectionClosed(TransportClosedException reason) {}

        /** @return state for {@link #turnCompleted}: {@code turn/start} is about to be sent */
        default @Nullable Object turnStarting() {
            return null;
        }

        /**
         * {@code turn/start} is about to be sent, on the thread that starts the turn; by default
         * {@link #turnStarting()}.
         *
         * @param threadId the thread
         * @param model the model the turn asks for, or null for the thread's
         * @return state for {@link #turnCompleted} and {@link #enterTurn}
         */
        default @Nullable Object turnStarting(String threadId, @Nullable String model) {
            return turnStarting();
        }

        /**
         * The thread that starts the turn, around sending its {@code turn/start}: make the turn's
         * span current (so that the request is its child), until the scope closes on this thread.
         *
         * @param state what {@link #turnStarting(String, String)} returned
         * @return the scope to close, or null
         */
        default @Nullable Scope enterTurn(@Nullable Object state) {
            return null;
        }

        /**
         * @return the tracer of the connection's requests (their spans and the {@code trace} member of
         *     each request), or null; asked once, when a connection opens
         */
        default @Nullable RequestTracer requestTracer() {
            return null;
        }

        /** The server accepted {@code turn/start}; {@code model} is the turn's, or the thread's, if known. */
        default void turnStarted(String threadId, String turnId, @Nullable String model) {}

        /**
         * The server accepted {@code turn/start}; by default {@link #turnStarted(String, String, String)}.
         *
         * @param state what {@link #turnStarting(String, String)} returned
         * @param threadId the thread
         * @param turnId the new turn
         * @param model the turn's model, or the thread's, if known
         */
        default void turnStarted(@Nullable Object state, String threadId, String turnId, @Nullable String model) {
            turnStarted(threadId, turnId, model);
        }

        /**
         * {@code turn/start} failed (an error reply, a timeout, a lost server): the turn never began.
         *
         * @param state what {@link #turnStarting(String, String)} returned
         * @param threadId the thread
         * @param error why
         */
        default void turnStartFailed(@Nullable Object state, String threadId, Throwable error) {}

        /** The turn's consumer folded its {@code turn/completed}; {@code model} as for {@link #turnStarted}. */
        default void turnCompleted(@Nullable Object state, String threadId, @Nullable String model, RunResult result) {}

        /** @return state for {@link #serverRequestAnswered}: the server asked something */
        default @Nullable Object serverRequestReceived(ApprovalRequest request) {
            return null;
        }

        /**
         * The server request's own thread, around its whole answer (the approval handler runs inside):
         * make the request's span current, until the scope closes on this thread.
         *
         * @param state what {@link #serverRequestReceived} returned
         * @return the scope to close, or null
         */
        default @Nullable Scope enterServerRequest(@Nullable Object state) {
            return null;
        }

        /**
         * The tool's own thread, around the call (its interceptors and the tool run inside): make the
         * tool call's span current, until the scope closes on this thread.
         *
         * @param call the call, as {@link #toolCallStarted} had it
         * @return the scope to close, or null
         */
        default @Nullable Scope enterToolCall(ApprovalRequest.ToolCall call) {
            return null;
        }

        /** The server's request is answered (or ended without an answer: {@code interrupted}). */
        default void serverRequestAnswered(@Nullable Object state, ApprovalRequest request, String decision,
                Duration latency) {}

        /** A client-side tool is about to run. */
        default void toolCallStarted(ApprovalRequest.ToolCall call) {}

        /** A client-side tool returned, failed or timed out. */
        default void toolCallEnded(ApprovalRequest.ToolCall call, boolean success, Duration latency) {}

        /** A {@link ToolInterceptor} decided something about a client-side tool call, or failed. */
        default void toolCallIntercepted(ApprovalRequest.ToolCall call, String interceptor, ToolInterceptor.Action action,
                @Nullable String detail) {}
    }

    /**
     * A listener that brings a sink of its own (the OpenTelemetry module's): {@link #of} plugs its
     * {@link #sink()} in as it is instead of wrapping the listener in a {@link SafeListener}, and
     * never calls its {@link CodexEventListener} callbacks. The sink contains its own exceptions.
     */
    public interface Plugin {
        /** @return the sink, the same one every time */
        Sink sink();
    }

    /** A span made current on one thread, until {@link #close()} on that thread. */
    public interface Scope extends AutoCloseable {
        /** Nothing to close. */
        Scope NONE = () -> {};

        /** Restores the thread's context as it was; never throws. */
        @Override
        void close();
    }

    /** Observes nothing (no listener, and JFR is not compiled in: only tests). */
    private static final Observer NONE = new Observer(RuntimeEvents.NONE, List.of());

    /** The runtime's sink: the listeners made safe, or {@link RuntimeEvents#NONE}. */
    private final RuntimeEvents runtime;
    private final List<Sink> sinks;
    /** The first sink's tracer of requests, or null. */
    private final @Nullable RequestTracer tracer;
    /** Whether some sink is a {@link Plugin}'s: only those make scopes ({@link Sink#enterTurn} and the like). */
    private final boolean plugged;

    private Observer(RuntimeEvents runtime, List<Sink> sinks) {
        this(runtime, sinks, false);
    }

    private Observer(RuntimeEvents runtime, List<Sink> sinks, boolean plugged) {
        this.runtime = runtime;
        this.sinks = sinks;
        this.plugged = plugged;
        RequestTracer first = null;
        for (Sink s : sinks) {
            first = s.requestTracer();
            if (first != null) {
                break;
            }
        }
        this.tracer = first;
    }

    /**
     * @param listener the user's listener, several of them ({@link ListenerFanOut}), or null
     * @return an observer with the listeners (if any, each made safe on its own) and JFR as sinks
     */
    public static Observer of(@Nullable CodexEventListener listener) {
        if (listener == null) {
            return new Observer(RuntimeEvents.NONE, List.of(SdkJfr.SINK));
        }
        List<CodexEventListener> each = listener instanceof ListenerFanOut fan ? fan.listeners() : List.of(listener);
        List<SafeListener> safe = each.stream().filter(l -> !(l instanceof Plugin)).map(SafeListener::new).toList();
        List<Sink> sinks = new ArrayList<>(safe);
        for (CodexEventListener l : each) {
            if (l instanceof Plugin p) {
                sinks.add(p.sink());
            }
        }
        sinks.add(SdkJfr.SINK);
        RuntimeEvents runtime = switch (safe.size()) {
            case 0 -> RuntimeEvents.NONE;
            case 1 -> safe.get(0);
            default -> new RuntimeFanOut(safe);
        };
        return new Observer(runtime, List.copyOf(sinks), sinks.size() > safe.size() + 1);
    }

    /** @return the runtime's sink: the listeners (made safe), or none, so that the runtime takes no timings */
    public RuntimeEvents runtimeEvents() {
        return runtime;
    }

    /** The runtime's facts, to every listener in turn (each safe: none throws, each times itself). */
    private record RuntimeFanOut(List<SafeListener> listeners) implements RuntimeEvents {
        @Override
        public boolean timesItsCallbacks() {
            return true;
        }

        @Override
        public void requestStarted(String method) {
            for (SafeListener l : listeners) {
                l.requestStarted(method);
            }
        }

        @Override
        public void requestEnded(String method, long nanos) {
            for (SafeListener l : listeners) {
                l.requestEnded(method, nanos);
            }
        }

        @Override
        public void requestFailed(String method, long nanos, Throwable error) {
            for (SafeListener l : listeners) {
                l.requestFailed(method, nanos, error);
            }
        }

        @Override
        public void requestRetried(String method, int retry, long delayNanos) {
            for (SafeListener l : listeners) {
                l.requestRetried(method, retry, delayNanos);
            }
        }

        @Override
        public void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {
            for (SafeListener l : listeners) {
                l.messageDropped(threadId, turnId, method, reason);
            }
        }

        @Override
        public void turnDiscarded(@Nullable String threadId, String turnId, String reason) {
            for (SafeListener l : listeners) {
                l.turnDiscarded(threadId, turnId, reason);
            }
        }
    }

    /** @return the tracer of the connection's requests (a plugin's), or null for none */
    public @Nullable RequestTracer requestTracer() {
        return tracer;
    }

    /** @see Sink#connectionOpened */
    public void connectionOpened(String link, InitializeResponse server) {
        for (Sink s : sinks) {
            s.connectionOpened(link, server);
        }
    }

    /** @see Sink#connectionClosed */
    public void connectionClosed(TransportClosedException reason) {
        for (Sink s : sinks) {
            s.connectionClosed(reason);
        }
    }

    /** @return whether any sink wants something now (when none does, a call site may skip its timings) */
    public boolean isEnabled() {
        for (Sink s : sinks) {
            if (s.isEnabled()) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code turn/start} is about to be sent.
     *
     * @return the turn's span: {@link TurnSpan#started} once the server accepted it, {@link TurnSpan#completed} once
     */
    public TurnSpan turnStarting() {
        Object[] state = new Object[sinks.size()];
        for (int i = 0; i < state.length; i++) {
            Sink s = sinks.get(i);
            state[i] = s.isEnabled() ? s.turnStarting() : null;
        }
        return new TurnSpan(state);
    }

    /**
     * {@code turn/start} is about to be sent, on the thread that starts the turn.
     *
     * @param threadId the thread
     * @param model the model the turn asks for, or null for the thread's
     * @return the turn's span: send {@code turn/start} inside {@link TurnSpan#enter()}; then
     *     {@link TurnSpan#started} once the server accepted it, {@link TurnSpan#completed} once
     */
    public TurnSpan turnStarting(String threadId, @Nullable String model) {
        Object[] state = new Object[sinks.size()];
        for (int i = 0; i < state.length; i++) {
            Sink s = sinks.get(i);
            state[i] = s.isEnabled() ? s.turnStarting(threadId, model) : null;
        }
        return new TurnSpan(state);
    }

    /** One turn, from {@code turn/start} to its fold; ends once. */
    public final class TurnSpan {
        private final @Nullable Object[] state;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Set by {@link #started} (the starting thread) before the handle is published; read by {@link #completed}. */
        private volatile @Nullable String model;

        private TurnSpan(@Nullable Object[] state) {
            this.state = state;
        }

        /**
         * The thread that starts the turn: makes the turn current for the sinks that trace (so that
         * {@code turn/start} is its child) until the scope closes, on this thread.
         *
         * @return the scope; close it on this thread
         */
        public Scope enter() {
            return enterAll(state, (sink, st) -> sink.enterTurn(st));
        }

        /**
         * The server accepted {@code turn/start}.
         *
         * @param model the turn's model (its options', else the thread's), or null when unknown
         */
        public void started(String threadId, String turnId, @Nullable String model) {
            this.model = model;
            for (int i = 0; i < state.length; i++) {
                sinks.get(i).turnStarted(state[i], threadId, turnId, model);
            }
        }

        /** {@code turn/start} failed: the turn never began; ends the span (only the first end reports). */
        public void startFailed(String threadId, Throwable error) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            for (int i = 0; i < state.length; i++) {
                sinks.get(i).turnStartFailed(state[i], threadId, error);
            }
        }

        /** The turn's consumer folded its end; only the first call reports. */
        public void completed(String threadId, RunResult result) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            for (int i = 0; i < state.length; i++) {
                sinks.get(i).turnCompleted(state[i], threadId, model, result);
            }
        }
    }

    /** How one sink enters one span's scope. */
    @FunctionalInterface
    private interface Entry {
        @Nullable Scope enter(Sink sink, @Nullable Object state);
    }

    /**
     * The scopes of the sinks that have state for a span (a null state skips its sink), as one
     * scope that closes them in reverse; {@link Scope#NONE}, allocating nothing, when none has one.
     */
    private Scope enterAll(@Nullable Object[] state, Entry entry) {
        if (!plugged) { // only a plugin's sink makes scopes: without one, entering costs nothing
            return Scope.NONE;
        }
        Scope only = Scope.NONE;
        List<Scope> more = null;
        for (int i = 0; i < state.length; i++) {
            Scope s = state[i] == null ? null : entry.enter(sinks.get(i), state[i]);
            if (s == null) {
                continue;
            }
            if (only == Scope.NONE) {
                only = s;
            } else {
                more = more == null ? new ArrayList<>(List.of(only)) : more;
                more.add(s);
            }
        }
        if (more == null) {
            return only;
        }
        List<Scope> all = List.copyOf(more);
        return () -> {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
        };
    }

    /**
     * The server asked something: the start of the one received/answered pair of this request.
     *
     * @param request the typed request
     * @return its span; end it with {@link ServerRequestSpan#answered} on every path
     */
    public ServerRequestSpan serverRequestReceived(ApprovalRequest request) {
        Object[] state = new Object[sinks.size()];
        for (int i = 0; i < state.length; i++) {
            Sink s = sinks.get(i);
            state[i] = s.isEnabled() ? s.serverRequestReceived(request) : null;
        }
        return new ServerRequestSpan(request, state);
    }

    /** One server request, from arrival to reply; ends once. */
    public final class ServerRequestSpan {
        private final ApprovalRequest request;
        private final @Nullable Object[] state;
        private final long start = System.nanoTime();
        private final AtomicBoolean ended = new AtomicBoolean();

        private ServerRequestSpan(ApprovalRequest request, @Nullable Object[] state) {
            this.request = request;
            this.state = state;
        }

        /**
         * The request's own thread: makes the request current for the sinks that trace (so that the
         * spans the approval handler makes are its children) until the scope closes, on this thread.
         *
         * @return the scope; close it on this thread ({@link Scope#NONE} when no sink traces)
         */
        public Scope enter() {
            return enterAll(state, (sink, st) -> sink.enterServerRequest(st));
        }

        /**
         * The reply is about to be written (or the request ended without one); only the first call reports.
         *
         * @param decision what was sent, in the listener's words
         */
        public void answered(String decision) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            for (int i = 0; i < state.length; i++) {
                sinks.get(i).serverRequestAnswered(state[i], request, decision, latency);
            }
        }
    }

    /**
     * A client-side tool is about to run.
     *
     * @return the moment it started, for {@link #toolCallEnded}
     */
    public long toolCallStarted(ApprovalRequest.ToolCall call) {
        for (Sink s : sinks) {
            s.toolCallStarted(call);
        }
        return System.nanoTime();
    }

    /**
     * The tool's own thread, after {@link #toolCallStarted}: makes the tool call current for the
     * sinks that trace (so that the spans the tool makes are its children) until the scope closes,
     * on this thread.
     *
     * @return the scope; close it on this thread ({@link Scope#NONE} when no sink traces)
     */
    public Scope enterToolCall(ApprovalRequest.ToolCall call) {
        if (!plugged) {
            return Scope.NONE;
        }
        Object[] all = new Object[sinks.size()];
        java.util.Arrays.fill(all, call);
        return enterAll(all, (sink, c) -> sink.enterToolCall((ApprovalRequest.ToolCall) c));
    }

    /** A client-side tool returned, failed or timed out. */
    public void toolCallEnded(long started, ApprovalRequest.ToolCall call, boolean success) {
        Duration latency = Duration.ofNanos(System.nanoTime() - started);
        for (Sink s : sinks) {
            s.toolCallEnded(call, success, latency);
        }
    }

    /** A {@link ToolInterceptor} decided something about a client-side tool call, or failed. */
    public void toolCallIntercepted(ApprovalRequest.ToolCall call, String interceptor, ToolInterceptor.Action action,
            @Nullable String detail) {
        for (Sink s : sinks) {
            s.toolCallIntercepted(call, interceptor, action, detail);
        }
    }

    /** @return an observer without sinks (tests of the SDK's own machinery) */
    static Observer none() {
        return NONE;
    }
}
