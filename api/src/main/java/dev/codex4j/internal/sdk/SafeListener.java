package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.ToolInterceptor;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.internal.runtime.RuntimeEvents;
import dev.codex4j.internal.runtime.SlowCallbacks;
import dev.codex4j.protocol.types.InitializeResponse;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A user's {@link CodexEventListener} made safe for the SDK to call, and adapted as the runtime's
 * {@link RuntimeEvents} sink: every callback is guarded, the first exception is logged at WARNING
 * (the next ones at DEBUG), and none reaches the SDK. Holds no state but the "warned" flag.
 */
public final class SafeListener implements RuntimeEvents, Observer.Sink {
    private static final System.Logger LOG = System.getLogger(CodexEventListener.class.getName());
    /** A callback slower than this is logged (once per callback): 100 ms unless the property says otherwise. */
    static final long SLOW_NANOS = Duration.ofMillis(Long.getLong("codex4j.listener.slowCallbackMillis", 100)).toNanos();

    private final CodexEventListener listener;
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Times every callback; one slower than {@link #SLOW_NANOS} is logged once, naming it (the runtime's detector). */
    private final SlowCallbacks slow = new SlowCallbacks(Duration.ofNanos(SLOW_NANOS), LOG);

    /** @param listener the user's listener */
    public SafeListener(CodexEventListener listener) {
        this.listener = listener;
    }

    /**
     * Every callback ends here: a callback that ran longer than {@link #SLOW_NANOS} is logged at
     * WARNING, once per callback, naming the user's listener class, the callback and the thread it
     * held up (the dispatcher's delays every message of the connection).
     */
    private void ended(String callback, long start) {
        slow.end(listener.getClass().getName() + "." + callback, start);
    }

    private void failed(String callback, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "The CodexEventListener " + listener.getClass().getName() + " threw from " + callback
                    + "; the SDK ignores it (and logs later failures at DEBUG only)", e);
        } else {
            LOG.log(Level.DEBUG, () -> "The CodexEventListener threw from " + callback + ": " + e);
        }
    }

    @Override
    public void requestStarted(String method) {
        long start = System.nanoTime();
        try {
            listener.requestStarted(new CodexEventListener.RequestStarted(method));
        } catch (RuntimeException e) {
            failed("requestStarted", e);
        } finally {
            ended("requestStarted", start);
        }
    }

    @Override
    public void requestEnded(String method, long nanos) {
        long start = System.nanoTime();
        try {
            listener.requestEnded(new CodexEventListener.RequestEnded(method, Duration.ofNanos(nanos)));
        } catch (RuntimeException e) {
            failed("requestEnded", e);
        } finally {
            ended("requestEnded", start);
        }
    }

    @Override
    public void requestFailed(String method, long nanos, Throwable error) {
        long start = System.nanoTime();
        try {
            listener.requestFailed(new CodexEventListener.RequestFailed(method, Duration.ofNanos(nanos), error));
        } catch (RuntimeException e) {
            failed("requestFailed", e);
        } finally {
            ended("requestFailed", start);
        }
    }

    @Override
    public void requestRetried(String method, int retry, long delayNanos) {
        long start = System.nanoTime();
        try {
            listener.requestRetried(new CodexEventListener.RequestRetried(method, retry, Duration.ofNanos(delayNanos)));
        } catch (RuntimeException e) {
            failed("requestRetried", e);
        } finally {
            ended("requestRetried", start);
        }
    }

    @Override
    public void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {
        long start = System.nanoTime();
        try {
            listener.messageDropped(new CodexEventListener.MessageDropped(threadId, turnId, method, reason));
        } catch (RuntimeException e) {
            failed("messageDropped", e);
        } finally {
            ended("messageDropped", start);
        }
    }

    @Override
    public void turnDiscarded(@Nullable String threadId, String turnId, String reason) {
        long start = System.nanoTime();
        try {
            listener.turnDiscarded(new CodexEventListener.TurnDiscarded(threadId, turnId, reason));
        } catch (RuntimeException e) {
            failed("turnDiscarded", e);
        } finally {
            ended("turnDiscarded", start);
        }
    }

    /** @see CodexEventListener#connectionOpened */
    @Override
    public void connectionOpened(String link, InitializeResponse server) {
        long start = System.nanoTime();
        try {
            listener.connectionOpened(new CodexEventListener.ConnectionOpened(link, server));
        } catch (RuntimeException e) {
            failed("connectionOpened", e);
        } finally {
            ended("connectionOpened", start);
        }
    }

    /** @see CodexEventListener#connectionClosed */
    @Override
    public void connectionClosed(TransportClosedException reason) {
        long start = System.nanoTime();
        try {
            listener.connectionClosed(reason);
        } catch (RuntimeException e) {
            failed("connectionClosed", e);
        } finally {
            ended("connectionClosed", start);
        }
    }

    /** @see CodexEventListener#turnStarted */
    @Override
    public void turnStarted(String threadId, String turnId, @Nullable String model) {
        long start = System.nanoTime();
        try {
            listener.turnStarted(new CodexEventListener.TurnStarted(threadId, turnId, model));
        } catch (RuntimeException e) {
            failed("turnStarted", e);
        } finally {
            ended("turnStarted", start);
        }
    }

    /** @see CodexEventListener#turnCompleted */
    @Override
    public void turnCompleted(@Nullable Object state, String threadId, @Nullable String model, RunResult result) {
        long start = System.nanoTime();
        try {
            listener.turnCompleted(new CodexEventListener.TurnCompleted(threadId, result, model));
        } catch (RuntimeException e) {
            failed("turnCompleted", e);
        } finally {
            ended("turnCompleted", start);
        }
    }

    /** @see CodexEventListener#serverRequestReceived */
    @Override
    public @Nullable Object serverRequestReceived(ApprovalRequest request) {
        long start = System.nanoTime();
        try {
            listener.serverRequestReceived(request);
        } catch (RuntimeException e) {
            failed("serverRequestReceived", e);
        } finally {
            ended("serverRequestReceived", start);
        }
        return null;
    }

    /** @see CodexEventListener#serverRequestAnswered */
    @Override
    public void serverRequestAnswered(@Nullable Object state, ApprovalRequest request, String decision, Duration latency) {
        long start = System.nanoTime();
        try {
            listener.serverRequestAnswered(new CodexEventListener.ServerRequestAnswered(request, decision, latency));
        } catch (RuntimeException e) {
            failed("serverRequestAnswered", e);
        } finally {
            ended("serverRequestAnswered", start);
        }
    }

    /** @see CodexEventListener#toolCallStarted */
    @Override
    public void toolCallStarted(ApprovalRequest.ToolCall call) {
        long start = System.nanoTime();
        try {
            listener.toolCallStarted(call);
        } catch (RuntimeException e) {
            failed("toolCallStarted", e);
        } finally {
            ended("toolCallStarted", start);
        }
    }

    /** @see CodexEventListener#toolCallEnded */
    @Override
    public void toolCallEnded(ApprovalRequest.ToolCall call, boolean success, Duration latency) {
        long start = System.nanoTime();
        try {
            listener.toolCallEnded(new CodexEventListener.ToolCallEnded(call, success, latency));
        } catch (RuntimeException e) {
            failed("toolCallEnded", e);
        } finally {
            ended("toolCallEnded", start);
        }
    }

    /** @see CodexEventListener#toolCallIntercepted */
    @Override
    public void toolCallIntercepted(ApprovalRequest.ToolCall call, String interceptor, ToolInterceptor.Action action,
            @Nullable String detail) {
        long start = System.nanoTime();
        try {
            listener.toolCallIntercepted(new CodexEventListener.ToolCallIntercepted(call, interceptor, action, detail));
        } catch (RuntimeException e) {
            failed("toolCallIntercepted", e);
        } finally {
            ended("toolCallIntercepted", start);
        }
    }

    /** Every callback is timed here, naming the user's callback: the runtime does not time it again. */
    @Override
    public boolean timesItsCallbacks() {
        return true;
    }
}
