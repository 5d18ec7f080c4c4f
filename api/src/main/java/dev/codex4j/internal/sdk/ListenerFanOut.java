package dev.codex4j.internal.sdk;

import dev.codex4j.CodexEventListener;
import java.util.List;

/**
 * The listeners of a builder given several ({@link dev.codex4j.CodexBuilder#eventListener} called more
 * than once, e.g. the application's own plus a Micrometer or OpenTelemetry one). It is only a carrier:
 * {@link Observer#of} unpacks it and makes each listener safe on its own, so that one listener's
 * exception or slowness is reported under its own name and never keeps the next one from its callback.
 * Its own callbacks are never called by the SDK. Immutable.
 *
 * @param listeners the listeners, in the order they were added (two or more)
 */
public record ListenerFanOut(List<CodexEventListener> listeners) implements CodexEventListener {
    /** @param listeners the listeners, in the order they were added */
    public ListenerFanOut {
        listeners = List.copyOf(listeners);
    }
}
