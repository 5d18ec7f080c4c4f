package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.internal.runtime.RuntimeEvents;
import dev.codex4j.protocol.TransportClosedException;
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
public final class SafeListener implements RuntimeEvents {
    private static final System.Logger LOG = System.getLogger(CodexEventListener.class.getName());

    private final CodexEventListener listener;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param listener the user's listener */
    public SafeListener(CodexEventListener listener) {
        this.listener = listener;
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
        try {
            listener.requestStarted(method);
        } catch (RuntimeException e) {
            failed("requestStarted", e);
        }
    }

    @Override
    public void requestEnded(String method, long nanos) {
        try {
            listener.requestEnded(method, Duration.ofNanos(nanos));
        } catch (RuntimeException e) {
            failed("requestEnded", e);
        }
    }

    @Override
    public void requestFailed(String method, long nanos, Throwable error) {
        try {
            listener.requestFailed(method, Duration.ofNanos(nanos), error);
        } catch (RuntimeException e) {
            failed("requestFailed", e);
        }
    }

    @Override
    public void requestRetried(String method, int retry, long delayNanos) {
        try {
            listener.requestRetried(method, retry, Duration.ofNanos(delayNanos));
        } catch (RuntimeException e) {
            failed("requestRetried", e);
        }
    }

    @Override
    public void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {
        try {
            listener.messageDropped(threadId, turnId, method, reason);
        } catch (RuntimeException e) {
            failed("messageDropped", e);
        }
    }

    @Override
    public void turnDiscarded(@Nullable String threadId, String turnId, String reason) {
        try {
            listener.turnDiscarded(threadId, turnId, reason);
        } catch (RuntimeException e) {
            failed("turnDiscarded", e);
        }
    }

    /** @see CodexEventListener#connectionOpened */
    public void connectionOpened(String link, InitializeResponse server) {
        try {
            listener.connectionOpened(link, server);
        } catch (RuntimeException e) {
            failed("connectionOpened", e);
        }
    }

    /** @see CodexEventListener#connectionClosed */
    public void connectionClosed(TransportClosedException reason) {
        try {
            listener.connectionClosed(reason);
        } catch (RuntimeException e) {
            failed("connectionClosed", e);
        }
    }

    /** @see CodexEventListener#turnStarted */
    public void turnStarted(String threadId, String turnId) {
        try {
            listener.turnStarted(threadId, turnId);
        } catch (RuntimeException e) {
            failed("turnStarted", e);
        }
    }

    /** @see CodexEventListener#turnCompleted */
    public void turnCompleted(String threadId, RunResult result) {
        try {
            listener.turnCompleted(threadId, result);
        } catch (RuntimeException e) {
            failed("turnCompleted", e);
        }
    }

    /** @see CodexEventListener#serverRequestReceived */
    public void serverRequestReceived(ApprovalRequest request) {
        try {
            listener.serverRequestReceived(request);
        } catch (RuntimeException e) {
            failed("serverRequestReceived", e);
        }
    }

    /** @see CodexEventListener#serverRequestAnswered */
    public void serverRequestAnswered(ApprovalRequest request, String decision, Duration latency) {
        try {
            listener.serverRequestAnswered(request, decision, latency);
        } catch (RuntimeException e) {
            failed("serverRequestAnswered", e);
        }
    }

    /** @see CodexEventListener#toolCallStarted */
    public void toolCallStarted(String threadId, String turnId, String callId, String tool) {
        try {
            listener.toolCallStarted(threadId, turnId, callId, tool);
        } catch (RuntimeException e) {
            failed("toolCallStarted", e);
        }
    }

    /** @see CodexEventListener#toolCallEnded */
    public void toolCallEnded(String threadId, String turnId, String callId, String tool, boolean success,
            Duration latency) {
        try {
            listener.toolCallEnded(threadId, turnId, callId, tool, success, latency);
        } catch (RuntimeException e) {
            failed("toolCallEnded", e);
        }
    }
}
