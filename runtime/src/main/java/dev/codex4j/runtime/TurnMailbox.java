package dev.codex4j.runtime;

import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The messages of one turn, in the order the app-server sent them, for exactly one consumer.
 * Messages that arrived before the mailbox was claimed (even {@code turn/completed}, which can
 * beat the {@code turn/start} response) are already in it.
 *
 * <p>Only one thread may consume ({@link #take}, {@link #poll}, {@link #drainTo}) at a time.
 * Once the connection is gone, the consumer first gets every message that had arrived; after
 * that, the consuming methods throw {@link dev.codex4j.protocol.TransportClosedException}.
 *
 * <pre>{@code
 * try (TurnMailbox box = connection.turnMailbox(threadId, turnId)) {
 *     for (Inbound in; (in = box.take(Duration.ofMinutes(5))) != null; ) {
 *         if ("turn/completed".equals(in.method())) break;
 *     }
 * }
 * }</pre>
 */
public interface TurnMailbox extends AutoCloseable {

    /** @return the thread the turn belongs to */
    String threadId();

    /** @return the turn */
    String turnId();

    /**
     * Waits (parking the calling thread, virtual or not) for the next message.
     *
     * @param timeout the longest wait
     * @return the next message, or {@code null} when none arrived within {@code timeout}
     * @throws InterruptedException when the consumer is interrupted while waiting
     * @throws dev.codex4j.protocol.TransportClosedException when the connection is gone and every
     *     message that arrived before has been taken
     * @throws IllegalStateException when the mailbox was closed
     */
    @Nullable Inbound take(Duration timeout) throws InterruptedException;

    /**
     * @return the next message if one is there, else {@code null}; never blocks
     * @throws dev.codex4j.protocol.TransportClosedException when the connection is gone and the
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
     * @throws dev.codex4j.protocol.TransportClosedException when the connection is gone and the
     *     mailbox is empty
     * @throws IllegalStateException when the mailbox was closed
     */
    int drainTo(Consumer<Inbound> sink, int max);

    /**
     * Sets the handler for server requests that name this turn; {@code null} falls back to the
     * thread's handler, then to the connection's.
     *
     * @param handler the handler, or {@code null}
     */
    void serverRequestHandler(@Nullable ServerRequestHandler handler);

    /**
     * Releases the mailbox: later messages for this turn are dropped (logged at DEBUG), and a
     * consumer blocked in {@link #take} gets {@link IllegalStateException}. Idempotent.
     */
    @Override
    void close();
}
