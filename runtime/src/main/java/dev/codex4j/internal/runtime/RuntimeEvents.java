package dev.codex4j.internal.runtime;

import org.jspecify.annotations.Nullable;

/**
 * The runtime's event sink: what a connection tells an observer (the SDK's
 * {@code CodexEventListener} adapter). Every method has an empty default, and {@link #NONE} is
 * what a connection without an observer uses: the runtime checks for it once, so that the hot path
 * pays nothing when nobody listens.
 *
 * <p>Contract for implementations: fast, never blocking, never calling back into the connection.
 * The runtime calls them on the thread that did the thing (named on each method); it never holds
 * the router's lock while calling. The connection times each call ({@link SlowCallbacks}): one
 * slower than {@link ConnectionOptions#slowCallbackThreshold()} is logged at WARNING, once per
 * method. A method that throws is the implementation's bug: the
 * runtime does not catch it (the SDK's adapter does).
 *
 * <pre>{@code
 * Connection c = Connection.open(transport, options, new RuntimeEvents() {
 *     public void requestEnded(String method, long nanos) { System.out.println(method + " " + nanos); }
 * });
 * }</pre>
 */
public interface RuntimeEvents {
    /** Observes nothing. */
    RuntimeEvents NONE = new RuntimeEvents() {};

    /**
     * Whether this sink times its own callbacks and reports a slow one itself (the SDK's listener
     * adapter does, naming the user's callback): the connection then does not time it again, so a
     * slow callback is reported once.
     *
     * @return true for a sink that reports its own slow callbacks
     */
    default boolean timesItsCallbacks() {
        return false;
    }

    /**
     * The caller's thread: a request is about to be sent (once per call; retries are
     * {@link #requestRetried}).
     *
     * @param method the method
     */
    default void requestStarted(String method) {}

    /**
     * The settling thread (the dispatcher for a reply): the request got its result.
     *
     * @param method the method
     * @param nanos from {@link #requestStarted} to the reply, retries included
     */
    default void requestEnded(String method, long nanos) {}

    /**
     * The settling thread (a {@code codex4j-callback} thread for an error reply, which it decoded
     * there; the scheduler for a timeout; the closing thread): the request failed.
     *
     * @param method the method
     * @param nanos from {@link #requestStarted} to the failure
     * @param error why: an error reply, a timeout, the connection's end, the caller's interrupt
     */
    default void requestFailed(String method, long nanos, Throwable error) {}

    /**
     * The {@code codex4j-callback} thread that decoded the error reply: the server said
     * "overloaded", and the request will be sent again.
     *
     * @param method the method
     * @param retry which retry (1 for the first)
     * @param delayNanos how long until it is sent again
     */
    default void requestRetried(String method, int retry, long delayNanos) {}

    /**
     * The dispatcher (after routing its batch) or the sweeper: a message that nobody will read was
     * dropped (its turn was released or discarded, or too many unclaimed turns are held).
     *
     * @param threadId the message's thread, if it named one
     * @param turnId the message's turn, if it named one
     * @param method the message's method
     * @param reason why, in words
     */
    default void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {}

    /**
     * The dispatcher (after routing its batch), the sweeper or a claimer: a memory bound or a
     * time-to-live discarded a whole turn's held events; its consumer gets
     * {@link dev.codex4j.errors.TurnDiscardedException}.
     *
     * @param threadId the turn's thread, if known
     * @param turnId the turn
     * @param reason why, in words (which bound)
     */
    default void turnDiscarded(@Nullable String threadId, String turnId, String reason) {}
}
