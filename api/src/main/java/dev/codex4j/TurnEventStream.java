package dev.codex4j;

import dev.codex4j.internal.sdk.PullIterator;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * The events of one turn, as a blocking iterable (and {@link #stream()}): each step waits for the
 * next notification; the last event is {@link TurnEvent.Completed}. Close it to stop reading
 * early; {@code close()} throws nothing. Its {@link #maxDelay()} says how long an event may wait
 * for it (its latency budget).
 *
 * <pre>{@code
 * try (TurnEventStream events = thread.turn("Tell a story").events()) {
 *     events.stream()
 *           .filter(e -> e instanceof TurnEvent.AgentMessageDelta)
 *           .forEach(e -> System.out.print(((TurnEvent.AgentMessageDelta) e).delta()));
 * }
 * }</pre>
 */
public final class TurnEventStream implements Iterable<TurnEvent>, AutoCloseable {
    private final TurnHandle turn;
    private final java.time.Duration maxDelay;
    private boolean closed;
    private boolean iterated;

    TurnEventStream(TurnHandle turn, java.time.Duration maxDelay) {
        this.turn = turn;
        this.maxDelay = maxDelay;
    }

    /**
     * @return this stream's latency budget: how long an event may wait for it beyond the
     *     dispatcher's coalescing window ({@link java.time.Duration#ZERO}: woken with every read batch);
     *     see {@link TurnHandle#events(java.time.Duration)}
     */
    public java.time.Duration maxDelay() {
        return maxDelay;
    }

    /** @return the turn these events belong to */
    public TurnHandle turn() {
        return turn;
    }

    /**
     * @return an iterator over the events; it can be taken once
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<TurnEvent> iterator() {
        if (iterated) {
            throw new IllegalStateException("TurnEventStream can be iterated once");
        }
        iterated = true;
        return new PullIterator<TurnEvent>(() -> closed, this::close) {
            @Override
            protected @Nullable TurnEvent pull() {
                return turn.next();
            }

            @Override
            protected TurnEvent take(TurnEvent item) {
                return item;
            }

            @Override
            protected boolean isLast(TurnEvent event) {
                return event instanceof TurnEvent.Completed;
            }

            @Override
            protected String noMore() {
                return "turn " + turn.id() + " has no more events";
            }
        };
    }

    /** @return the events as a sequential stream; closing the stream closes this */
    public Stream<TurnEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /** Stops reading. The turn goes on; its remaining events stay for {@link TurnHandle#run()}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            turn.release(this);
        }
    }
}
