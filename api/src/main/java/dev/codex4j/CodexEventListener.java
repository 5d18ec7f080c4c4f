package dev.codex4j;

import dev.codex4j.protocol.TransportClosedException;
import dev.codex4j.protocol.types.InitializeResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Observes what a {@link Codex} client does, for metrics and tracing: one callback per phase of
 * the connection, its requests, its turns, the server's requests and the messages the SDK had to
 * drop. Every method has an empty default; override the ones you need. Set it with
 * {@link Codex.Builder#eventListener(CodexEventListener)}.
 *
 * <p>The contract is OkHttp's {@code EventListener}'s:
 * <ul>
 *   <li><b>Fast.</b> Callbacks run on the SDK's own threads, some on the dispatcher that reads
 *       every message of the connection (each method says which). Count, time or enqueue; never
 *       block or do I/O there.
 *   <li><b>Never throws into the SDK.</b> An exception from a callback is caught; the first one
 *       is logged at WARNING (later ones at DEBUG), and the SDK goes on.
 *   <li><b>Never re-enters.</b> A callback must not call the client (start a turn, send a
 *       request, close it): hand such work to a thread of your own.
 * </ul>
 *
 * <pre>{@code
 * LongAdder failures = new LongAdder();
 * Codex codex = Codex.builder().eventListener(new CodexEventListener() {
 *     @Override public void requestFailed(String method, Duration latency, Throwable error) { failures.increment(); }
 *     @Override public void turnCompleted(String threadId, RunResult r) {
 *         System.out.println(r.turnId() + " " + r.status() + " in " + r.durationMs() + " ms");
 *     }
 * }).build();
 * }</pre>
 */
public interface CodexEventListener {

    /**
     * The building thread: the {@code initialize} handshake succeeded.
     *
     * @param link what the connection is (the child's command, or the endpoint)
     * @param server what the server said in its {@code initialize} reply
     */
    default void connectionOpened(String link, InitializeResponse server) {}

    /**
     * A virtual thread of its own: the connection ended, because the client closed it or the
     * server went away.
     *
     * @param reason why; {@code exitCode()} and {@code stderrTail()} tell about a child that exited
     */
    default void connectionClosed(TransportClosedException reason) {}

    /**
     * The caller's thread: a request is about to be sent (once per call, however many retries).
     *
     * @param method the method, for example {@code turn/start}
     */
    default void requestStarted(String method) {}

    /**
     * The dispatcher: the request got its result.
     *
     * @param method the method
     * @param latency from {@link #requestStarted} to the reply, retries included
     */
    default void requestEnded(String method, Duration latency) {}

    /**
     * The thread that saw the failure: a {@code codex4j-callback} thread for an error reply (it
     * decodes the reply off the dispatcher), the scheduler for a timeout, the closing thread when
     * the connection ends.
     *
     * @param method the method
     * @param latency from {@link #requestStarted} to the failure
     * @param error a {@link dev.codex4j.protocol.CodexRpcException}, a
     *     {@link dev.codex4j.protocol.RequestTimeoutException}, a {@link TransportClosedException},
     *     or a {@link java.util.concurrent.CancellationException} when the caller was interrupted
     */
    default void requestFailed(String method, Duration latency, Throwable error) {}

    /**
     * The {@code codex4j-callback} thread that decoded the error reply: the server said it was
     * overloaded (-32001), and the request will be sent again after {@code delay}.
     *
     * @param method the method
     * @param retry which retry (1 for the first)
     * @param delay how long until it is sent again
     */
    default void requestRetried(String method, int retry, Duration delay) {}

    /**
     * The thread that started the turn: the server accepted {@code turn/start}.
     *
     * @param threadId the thread
     * @param turnId the new turn
     */
    default void turnStarted(String threadId, String turnId) {}

    /**
     * The turn's consumer ({@link TurnHandle#run()}, {@link TurnHandle#events()}): the SDK folded
     * the turn's {@code turn/completed}. A turn nobody consumes is not reported.
     *
     * @param threadId the thread
     * @param result status, duration, token usage, items and error of the turn
     */
    default void turnCompleted(String threadId, RunResult result) {}

    /**
     * The server request's own virtual thread, before its handler runs: the server asked the
     * client something (an approval, a tool call, a question for the user).
     *
     * @param request the typed request
     */
    default void serverRequestReceived(ApprovalRequest request) {}

    /**
     * The server request's own virtual thread, before the reply is written.
     *
     * @param request the typed request
     * @param decision the decision sent ({@code accept}, {@code decline}, {@code cancel},
     *     {@code acceptForSession}, ...), {@code answered} for a reply without a decision, or
     *     {@code error <code>} for an error reply
     * @param latency from {@link #serverRequestReceived} to the reply (a person's think time included)
     */
    default void serverRequestAnswered(ApprovalRequest request, String decision, Duration latency) {}

    /**
     * The dispatcher (after it routed the batch) or the sweeper: a message that nobody will read
     * was dropped (its turn's consumer is gone, the turn was discarded, or too many unclaimed
     * turns were held).
     *
     * @param threadId the message's thread, if it named one
     * @param turnId the message's turn, if it named one
     * @param method the message's method
     * @param reason why, in words
     */
    default void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {}

    /**
     * The dispatcher, the sweeper or the claiming thread: a memory bound or a time-to-live
     * discarded a whole turn's held events (held too long, too large, or never consumed); its
     * consumer gets {@link dev.codex4j.protocol.TurnDiscardedException}.
     *
     * @param threadId the turn's thread, if known
     * @param turnId the turn
     * @param reason which bound, in words
     */
    default void turnDiscarded(@Nullable String threadId, String turnId, String reason) {}

    /**
     * The server request's virtual thread ({@code codex4j-server-request}): a client-side tool of the
     * thread is about to run (on a virtual thread of its own).
     *
     * @param threadId the thread
     * @param turnId the turn
     * @param callId the call's id
     * @param tool the tool's name
     */
    default void toolCallStarted(String threadId, String turnId, String callId, String tool) {}

    /**
     * The server request's virtual thread ({@code codex4j-server-request}): a client-side tool
     * returned, failed or timed out (or its arguments did not bind, or no tool had its name), and its
     * result is about to be sent.
     *
     * @param threadId the thread
     * @param turnId the turn
     * @param callId the call's id
     * @param tool the tool's name
     * @param success whether the result sent to the model is a success
     * @param latency how long the tool ran
     */
    default void toolCallEnded(String threadId, String turnId, String callId, String tool, boolean success,
            Duration latency) {}
}
