package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The messages of one turn, in the order the app-server sent them, for exactly one consumer at a
 * time. Messages that arrived before the mailbox was claimed (even {@code turn/completed}, which
 * can beat the {@code turn/start} response) are already in it.
 *
 * <p>A consumer {@link #attach attaches} with a {@link WakePolicy}: {@link WakePolicy#EACH_BATCH}
 * (it handles every event: it is woken once per read batch that brought it something) or
 * {@link WakePolicy#COMPLETION} (it needs only the result: it is woken when {@code turn/completed}
 * arrives or when {@link ConnectionOptions#wakeHighWaterMark()} messages have piled up, then folds
 * them in one go). An {@code EACH_BATCH} consumer may also state a latency budget
 * ({@link #attach(Duration)}): how long an event may wait for it beyond the dispatcher's window; it
 * is then woken at most once per budget while events keep coming, and at once for what cannot wait
 * ({@code turn/completed}, {@code error}, a server request of the turn, the high-water mark). While nobody is attached, the turn's messages count against the connection's
 * unconsumed-bytes budget; over it, the turn is discarded and its consumer gets
 * {@link dev.codex4j.errors.TurnDiscardedException}.
 *
 * <p>Once the connection is gone, the consumer first gets every message that had arrived (unless
 * the client closed the connection itself); after that, the consuming methods throw
 * {@link dev.codex4j.errors.TransportClosedException}.
 *
 * <pre>{@code
 * try (TurnMailbox box = connection.turnMailbox(threadId, turnId)) {
 *     box.attach(WakePolicy.EACH_BATCH);
 *     for (Inbound in; (in = box.take(Duration.ofMinutes(5))) != null; ) {
 *         if (in.isTurnCompleted()) break;
 *     }
 * }
 * }</pre>
 */
public interface TurnMailbox extends AutoCloseable {

    /** When a consumer wants to be woken. */
    enum WakePolicy {
        /** Woken once per read batch that brought at least one message: for consumers of every event. */
        EACH_BATCH,
        /** Woken at {@code turn/completed} or at the high-water mark only: for consumers of the result. */
        COMPLETION
    }

    /** @return the thread the turn belongs to */
    String threadId();

    /** @return the turn */
    String turnId();

    /**
     * Attaches the calling consumer: from now on it owns the consuming methods, and the turn's
     * messages no longer count as unconsumed.
     *
     * @param policy when to wake it
     * @throws dev.codex4j.errors.TurnDiscardedException when the turn's messages were discarded
     */
    void attach(WakePolicy policy);

    /**
     * Attaches the calling consumer for every event ({@link WakePolicy#EACH_BATCH}) with a latency
     * budget: no event waits longer than {@code latencyBudget} plus the dispatcher's coalescing
     * window before the consumer is woken for it; within that, the consumer is woken at most once
     * per budget while events keep coming, and at once for {@code turn/completed}, {@code error},
     * a server request naming the turn, and the high-water mark. {@link Duration#ZERO} is
     * {@code attach(EACH_BATCH)}.
     *
     * @param latencyBudget the longest an event may wait for this consumer beyond the window
     * @throws IllegalArgumentException when negative
     * @throws dev.codex4j.errors.TurnDiscardedException when the turn's messages were discarded
     */
    void attach(Duration latencyBudget);

    /** @return the attached consumer's latency budget ({@link Duration#ZERO} when none or not attached) */
    Duration latencyBudget();

    /** Detaches the consumer (it stops reading for now); messages that arrive count as unconsumed again. */
    void detach();

    /**
     * Waits (parking the calling thread, virtual or not) for the next message.
     *
     * @param timeout the longest wait
     * @return the next message, or {@code null} when none arrived within {@code timeout}
     * @throws InterruptedException when the consumer is interrupted while waiting
     * @throws dev.codex4j.errors.TransportClosedException when the connection is gone and every
     *     message that arrived before has been taken
     * @throws dev.codex4j.errors.TurnDiscardedException when the turn's messages were discarded
     * @throws IllegalStateException when the mailbox was closed
     */
    @Nullable Inbound take(Duration timeout) throws InterruptedException;

    /**
     * {@link #take(Duration)} with a {@link System#nanoTime()} deadline ({@link Long#MAX_VALUE}: none).
     *
     * @param deadlineNanos the deadline
     * @return the next message, or null at the deadline
     * @throws InterruptedException when interrupted while waiting
     */
    @Nullable Inbound takeBy(long deadlineNanos) throws InterruptedException;

    /**
     * Waits until the attached consumer's policy says there is something to do (for
     * {@link WakePolicy#COMPLETION}: {@code turn/completed} or the high-water mark), or the
     * deadline passes, without taking anything; then drain with {@link #drainTo}.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline ({@link Long#MAX_VALUE}: none)
     * @return true when woken for work, false at the deadline
     * @throws InterruptedException when interrupted while waiting
     * @throws dev.codex4j.errors.TransportClosedException when the connection is gone and the
     *     mailbox is empty
     */
    boolean awaitReady(long deadlineNanos) throws InterruptedException;

    /**
     * @return the next message if one is there, else {@code null}; never blocks
     * @throws dev.codex4j.errors.TransportClosedException when the connection is gone and the
     *     mailbox is empty
     * @throws IllegalStateException when the mailbox was closed
     */
    @Nullable Inbound poll();

    /**
     * Hands up to {@code max} waiting messages to {@code sink}, in order, without blocking.
     *
     * @param sink receives each message on the calling thread
     * @param max the most messages to hand over
     * @return how many were handed over
     * @throws dev.codex4j.errors.TransportClosedException when the connection is gone and the
     *     mailbox is empty
     * @throws IllegalStateException when the mailbox was closed
     */
    int drainTo(Consumer<Inbound> sink, int max);

    /**
     * @return whether the dispatcher has routed this turn's {@code turn/completed} (whether or not
     *     the consumer has taken it yet)
     */
    boolean terminalReceived();

    /** @return nanoTime of the last message routed to this turn (or of its claim) */
    long lastActivityNanos();

    /**
     * Puts a message into the mailbox as if the server had sent it (the turn-completion watchdog
     * settles a turn whose {@code turn/completed} never came). Ignored once the real one arrived.
     *
     * @param in the message (a {@code turn/completed} of this turn)
     * @return whether it was delivered
     */
    boolean settle(Inbound in);

    /**
     * Ties the mailbox to the object that consumes it (the SDK's turn handle), held weakly: once
     * that object is unreachable and no consumer is attached, the sweeper releases the mailbox, so
     * a turn nobody will ever consume does not keep its events.
     *
     * @param owner the owner
     */
    void ownedBy(Object owner);

    /**
     * Releases the mailbox: its messages are dropped, later messages for this turn are dropped
     * (logged at DEBUG), and a consumer blocked in {@link #take} gets {@link IllegalStateException}.
     * Idempotent.
     */
    @Override
    void close();
}
