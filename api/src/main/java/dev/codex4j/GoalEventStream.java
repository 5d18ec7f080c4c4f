package dev.codex4j;

import dev.codex4j.internal.sdk.PullIterator;
import java.time.Duration;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * The events of a {@link GoalRun} across all its turns, as a blocking iterable (and
 * {@link #stream()}), for one reader: each step waits for the next event, and the iteration ends
 * when the run ends (the goal is no longer active and its last turn ended), or when this stream or
 * the run is closed. Each turn's events open with a {@link TurnEvent.Notification} holding its
 * {@code turn/started} and close with its {@link TurnEvent.Completed};
 * {@link #turnId()} names the turn of the event last returned. The goal's own updates come as
 * {@link TurnEvent.Notification}s between turns. Close it to stop reading early (the run goes on);
 * {@code close()} throws nothing.
 *
 * <pre>{@code
 * try (GoalEventStream events = run.events()) {
 *     for (TurnEvent e : events) {
 *         if (e instanceof TurnEvent.AgentMessageDelta d) System.out.print(d.delta());
 *         if (e instanceof TurnEvent.Completed c) System.out.println("\n-- turn " + events.turnId() + " " + c.result().status());
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one reader thread. A step throws
 * {@link dev.codex4j.errors.TransportClosedException} when the connection ended before the run, and
 * {@link dev.codex4j.errors.CodexException} when the reading thread is interrupted.
 */
public final class GoalEventStream implements Iterable<TurnEvent>, AutoCloseable {
    private final GoalRun run;
    private final Duration maxDelay;
    private @Nullable String turnId;
    private volatile boolean closed;
    private boolean iterated;

    GoalEventStream(GoalRun run, Duration maxDelay) {
        this.run = run;
        this.maxDelay = maxDelay;
    }

    /** @return this stream's latency budget (see {@link GoalRun#events(Duration)}) */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the run these events belong to */
    public GoalRun run() {
        return run;
    }

    /**
     * @return the turn of the event last returned, or null when that was one of the goal's own
     *     updates (or nothing was returned yet)
     */
    public @Nullable String turnId() {
        return turnId;
    }

    /**
     * @return an iterator over the events; it can be taken once
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<TurnEvent> iterator() {
        if (iterated) {
            throw new IllegalStateException("GoalEventStream can be iterated once");
        }
        iterated = true;
        return new PullIterator<GoalRun.Entry>(() -> closed, this::close) {
            @Override
            protected GoalRun.@Nullable Entry pull() {
                return run.next(GoalEventStream.this);
            }

            @Override
            protected TurnEvent take(GoalRun.Entry item) {
                turnId = item.turnId();
                return item.event();
            }

            @Override
            protected String noMore() {
                return "the goal run has no more events";
            }
        };
    }

    /** @return the events as a sequential stream; closing the stream closes this */
    public Stream<TurnEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops reading; the run goes on, and keeps no more events. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            run.release(this);
        }
    }
}
