package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
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

        /** The server accepted {@code turn/start}; {@code model} is the turn's, or the thread's, if known. */
        default void turnStarted(String threadId, String turnId, @Nullable String model) {}

        /** The turn's consumer folded its {@code turn/completed}; {@code model} as for {@link #turnStarted}. */
        default void turnCompleted(@Nullable Object state, String threadId, @Nullable String model, RunResult result) {}

        /** @return state for {@link #serverRequestAnswered}: the server asked something */
        default @Nullable Object serverRequestReceived(ApprovalRequest request) {
            return null;
        }

        /** The server's request is answered (or ended without an answer: {@code interrupted}). */
        default void serverRequestAnswered(@Nullable Object state, ApprovalRequest request, String decision,
                Duration latency) {}

        /** A client-side tool is about to run. */
        default void toolCallStarted(ApprovalRequest.ToolCall call) {}

        /** A client-side tool returned, failed or timed out. */
        default void toolCallEnded(ApprovalRequest.ToolCall call, boolean success, Duration latency) {}
    }

    /** Observes nothing (no listener, and JFR is not compiled in: only tests). */
    private static final Observer NONE = new Observer(RuntimeEvents.NONE, List.of());

    /** The runtime's sink: the listeners made safe, or {@link RuntimeEvents#NONE}. */
    private final RuntimeEvents runtime;
    private final List<Sink> sinks;

    private Observer(RuntimeEvents runtime, List<Sink> sinks) {
        this.runtime = runtime;
        this.sinks = sinks;
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
        List<SafeListener> safe = each.stream().map(SafeListener::new).toList();
        List<Sink> sinks = new ArrayList<>(safe);
        sinks.add(SdkJfr.SINK);
        RuntimeEvents runtime = safe.size() == 1 ? safe.get(0) : new RuntimeFanOut(safe);
        return new Observer(runtime, List.copyOf(sinks));
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
         * The server accepted {@code turn/start}.
         *
         * @param model the turn's model (its options', else the thread's), or null when unknown
         */
        public void started(String threadId, String turnId, @Nullable String model) {
            this.model = model;
            for (Sink s : sinks) {
                s.turnStarted(threadId, turnId, model);
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

    /** A client-side tool returned, failed or timed out. */
    public void toolCallEnded(long started, ApprovalRequest.ToolCall call, boolean success) {
        Duration latency = Duration.ofNanos(System.nanoTime() - started);
        for (Sink s : sinks) {
            s.toolCallEnded(call, success, latency);
        }
    }

    /** @return an observer without sinks (tests of the SDK's own machinery) */
    static Observer none() {
        return NONE;
    }
}
