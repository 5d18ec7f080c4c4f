package dev.codex4j;

import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.protocol.types.InitializeResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Observes what a {@link Codex} client does, for metrics and tracing: one callback per phase of
 * the connection, its requests, its turns, the server's requests and the messages the SDK had to
 * drop. Every method has an empty default; override the ones you need. Set it with
 * {@link CodexBuilder#eventListener(CodexEventListener)}.
 *
 * <p>Each callback takes one immutable value (a record nested here, the request, the exception), so
 * that a new fact is a new accessor of that value, never a new overload. Read the values through
 * their accessors.
 *
 * <p>The contract is OkHttp's {@code EventListener}'s:
 * <ul>
 *   <li><b>Fast.</b> Callbacks run on the SDK's own threads, some on the dispatcher that reads
 *       every message of the connection (each method says which). Count, time or enqueue; never
 *       block or do I/O there. A callback that takes longer than 100 ms (system property
 *       {@code codex4j.listener.slowCallbackMillis}) is logged at WARNING, once per callback,
 *       naming it and the thread it held up.
 *   <li><b>Never throws into the SDK.</b> An exception from a callback is caught; the first one
 *       is logged at WARNING (later ones at DEBUG), and the SDK goes on.
 *   <li><b>Never re-enters.</b> A callback must not call the client (start a turn, send a
 *       request, close it): hand such work to a thread of your own.
 * </ul>
 *
 * <pre>{@code
 * LongAdder failures = new LongAdder();
 * Codex codex = Codex.builder().eventListener(new CodexEventListener() {
 *     @Override public void requestFailed(RequestFailed e) { failures.increment(); }
 *     @Override public void turnCompleted(TurnCompleted e) {
 *         System.out.println(e.result().turnId() + " " + e.result().status() + " in " + e.result().durationMs() + " ms");
 *     }
 * }).build();
 * }</pre>
 */
public interface CodexEventListener {

    /**
     * The handshake succeeded.
     *
     * @param link what the connection is (the child's command, or the endpoint)
     * @param server what the server said in its {@code initialize} reply
     */
    record ConnectionOpened(String link, InitializeResponse server) {}

    /**
     * A request is about to be sent (once per call, however many retries).
     *
     * @param method the method, for example {@code turn/start}
     */
    record RequestStarted(String method) {}

    /**
     * A request got its result.
     *
     * @param method the method
     * @param latency from {@link #requestStarted} to the reply, retries included
     */
    record RequestEnded(String method, Duration latency) {}

    /**
     * A request failed.
     *
     * @param method the method
     * @param latency from {@link #requestStarted} to the failure
     * @param error a {@link dev.codex4j.errors.CodexRpcException}, a
     *     {@link dev.codex4j.errors.RequestTimeoutException}, a {@link TransportClosedException},
     *     or a {@link java.util.concurrent.CancellationException} when the caller was interrupted
     */
    record RequestFailed(String method, Duration latency, Throwable error) {}

    /**
     * The server said it was overloaded (-32001), and the request will be sent again.
     *
     * @param method the method
     * @param retry which retry (1 for the first)
     * @param delay how long until it is sent again
     */
    record RequestRetried(String method, int retry, Duration delay) {}

    /**
     * The server accepted {@code turn/start}.
     *
     * @param threadId the thread
     * @param turnId the new turn
     * @param model the turn's model ({@link TurnOptions#model()}, else the thread's as the server
     *     described it), or null when unknown
     */
    record TurnStarted(String threadId, String turnId, @Nullable String model) {
        /**
         * A turn of an unknown model.
         *
         * @param threadId the thread
         * @param turnId the new turn
         */
        public TurnStarted(String threadId, String turnId) {
            this(threadId, turnId, null);
        }
    }

    /**
     * The SDK folded a turn's {@code turn/completed}.
     *
     * @param threadId the thread
     * @param result status, duration, token usage, items and error of the turn
     * @param model the turn's model, as in {@link TurnStarted#model()}, or null when unknown
     */
    record TurnCompleted(String threadId, RunResult result, @Nullable String model) {
        /**
         * A turn of an unknown model.
         *
         * @param threadId the thread
         * @param result the turn's result
         */
        public TurnCompleted(String threadId, RunResult result) {
            this(threadId, result, null);
        }
    }

    /**
     * A server request was answered (or ended without an answer).
     *
     * @param request the typed request
     * @param decision the decision sent ({@code accept}, {@code decline}, {@code cancel},
     *     {@code acceptForSession}, ...); {@code success} or {@code failure} for a tool call;
     *     {@code answered} for a reply without a decision; {@code error <code>} for an error reply;
     *     {@code interrupted} when the client closed first (nothing is sent)
     * @param latency from {@link #serverRequestReceived} to the reply (a person's think time included)
     */
    record ServerRequestAnswered(ApprovalRequest request, String decision, Duration latency) {}

    /**
     * A client-side tool returned, failed or timed out (or its arguments did not bind, or no tool
     * had its name), and its result is about to be sent.
     *
     * @param call the call: thread, turn, call id, tool name, arguments
     * @param success whether the result sent to the model is a success
     * @param latency how long the tool ran
     */
    record ToolCallEnded(ApprovalRequest.ToolCall call, boolean success, Duration latency) {}

    /**
     * A {@link ToolInterceptor} decided something about a client-side tool call, or failed.
     *
     * @param call the call: thread, turn, call id, tool name, the model's arguments
     * @param interceptor the interceptor's {@link ToolInterceptor#name()}
     * @param action what it did ({@link ToolInterceptor.Action#FAILED} when it threw or returned null)
     * @param detail the veto's message, or the failure's text; null otherwise
     */
    record ToolCallIntercepted(ApprovalRequest.ToolCall call, String interceptor, ToolInterceptor.Action action,
            @Nullable String detail) {}

    /**
     * A message that nobody will read was dropped.
     *
     * @param threadId the message's thread, if it named one
     * @param turnId the message's turn, if it named one
     * @param method the message's method
     * @param reason why, in words
     */
    record MessageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {}

    /**
     * A memory bound or a time-to-live discarded a whole turn's held events.
     *
     * @param threadId the turn's thread, if known
     * @param turnId the turn
     * @param reason which bound, in words
     */
    record TurnDiscarded(@Nullable String threadId, String turnId, String reason) {}

    /**
     * The building thread (or the supervisor's, after a restart): the {@code initialize} handshake succeeded.
     *
     * @param e the link and the server's {@code initialize} reply
     */
    default void connectionOpened(ConnectionOpened e) {}

    /**
     * A virtual thread of its own: the connection ended, because the client closed it or the
     * server went away.
     *
     * @param reason why; {@code exitCode()} and {@code stderrTail()} tell about a child that exited
     */
    default void connectionClosed(TransportClosedException reason) {}

    /**
     * The caller's thread: a request is about to be sent.
     *
     * @param e the method
     */
    default void requestStarted(RequestStarted e) {}

    /**
     * The dispatcher: the request got its result.
     *
     * @param e the method and the latency
     */
    default void requestEnded(RequestEnded e) {}

    /**
     * The thread that saw the failure: a {@code codex4j-callback} thread for an error reply (it
     * decodes the reply off the dispatcher), the scheduler for a timeout, the closing thread when
     * the connection ends.
     *
     * @param e the method, the latency and the error
     */
    default void requestFailed(RequestFailed e) {}

    /**
     * The {@code codex4j-callback} thread that decoded the error reply: the server said it was
     * overloaded (-32001), and the request will be sent again after the event's delay.
     *
     * @param e the method, which retry, and the delay
     */
    default void requestRetried(RequestRetried e) {}

    /**
     * The thread that started the turn: the server accepted {@code turn/start}.
     *
     * @param e the thread and the new turn
     */
    default void turnStarted(TurnStarted e) {}

    /**
     * The turn's consumer ({@link TurnHandle#run()}, {@link TurnHandle#events()}): the SDK folded
     * the turn's {@code turn/completed}. A turn nobody consumes is not reported.
     *
     * @param e the thread and the turn's result
     */
    default void turnCompleted(TurnCompleted e) {}

    /**
     * The server request's own virtual thread, before anything answers it: the server asked the
     * client something (an approval, a tool call, a question for the user). Every request is
     * followed by exactly one {@link #serverRequestAnswered}, whoever answers it (a handler, the
     * {@link ApprovalInbox}, a tool, the default refusal, a timeout, a cancellation) or when the
     * client closes first.
     *
     * @param request the typed request
     */
    default void serverRequestReceived(ApprovalRequest request) {}

    /**
     * The server request's own virtual thread, before the reply is written.
     *
     * @param e the request, the decision and the latency
     */
    default void serverRequestAnswered(ServerRequestAnswered e) {}

    /**
     * The dispatcher (after it routed the batch) or the sweeper: a message that nobody will read
     * was dropped (its turn's consumer is gone, the turn was discarded, or too many unclaimed
     * turns were held).
     *
     * @param e the message's thread, turn and method, and why
     */
    default void messageDropped(MessageDropped e) {}

    /**
     * The dispatcher, the sweeper or the claiming thread: a memory bound or a time-to-live
     * discarded a whole turn's held events (held too long, too large, or never consumed); its
     * consumer gets {@link dev.codex4j.errors.TurnDiscardedException}.
     *
     * @param e the turn and which bound
     */
    default void turnDiscarded(TurnDiscarded e) {}

    /**
     * The server request's virtual thread ({@code codex4j-server-request}): a client-side tool of the
     * thread is about to run (on a virtual thread of its own). The call is also reported as a
     * server request ({@link #serverRequestReceived}).
     *
     * @param call the call: thread, turn, call id, tool name, arguments
     */
    default void toolCallStarted(ApprovalRequest.ToolCall call) {}

    /**
     * The server request's virtual thread ({@code codex4j-server-request}): a client-side tool
     * ended, and its result is about to be sent.
     *
     * @param e the call, whether it succeeded, and how long it ran
     */
    default void toolCallEnded(ToolCallEnded e) {}

    /**
     * The tool call's virtual thread ({@code codex4j-tool-<name>}): a {@link ToolInterceptor}
     * let a call through, vetoed it, rewrote its arguments or output, or failed (which vetoes the
     * call or fails its output). Reported between {@link #toolCallStarted} and {@link #toolCallEnded}.
     *
     * @param e the call, the interceptor and what it did
     */
    default void toolCallIntercepted(ToolCallIntercepted e) {}
}
