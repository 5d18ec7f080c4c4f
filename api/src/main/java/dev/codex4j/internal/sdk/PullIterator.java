package dev.codex4j.internal.sdk;

import dev.codex4j.TurnEvent;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The blocking iterator of {@link dev.codex4j.TurnEventStream} and {@link dev.codex4j.GoalEventStream}: {@code hasNext}
 * pulls the next item ahead (waiting for it), and the iteration ends, closing its stream, when the
 * source has no more or the stream was closed. Not thread-safe: the stream's one reader thread.
 *
 * @param <T> what the source gives (an event, or an event with its turn)
 */
public abstract class PullIterator<T> implements Iterator<TurnEvent> {
    private final java.util.function.BooleanSupplier closed;
    private final Runnable end;
    private @Nullable T peeked;
    private boolean ended;

    /**
     * @param closed whether the stream was closed
     * @param end closes the stream when the source has no more
     */
    protected PullIterator(java.util.function.BooleanSupplier closed, Runnable end) {
        this.closed = closed;
        this.end = end;
    }

    /** @return the next item, waiting for it, or null when there are no more */
    protected abstract @Nullable T pull();

    /** @return what this item says the reader (and records what goes with it) */
    protected abstract TurnEvent take(T item);

    /** @return whether nothing comes after this item */
    protected boolean isLast(TurnEvent event) {
        return false;
    }

    /** @return the message of {@link NoSuchElementException} */
    protected abstract String noMore();

    @Override
    public final boolean hasNext() {
        if (peeked != null) {
            return true;
        }
        if (ended || closed.getAsBoolean()) {
            return false;
        }
        peeked = pull();
        if (peeked == null) {
            ended = true;
            end.run();
        }
        return peeked != null;
    }

    @Override
    public final TurnEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException(noMore());
        }
        T item = peeked;
        peeked = null;
        TurnEvent e = take(item);
        if (isLast(e)) {
            ended = true;
        }
        return e;
    }
}
