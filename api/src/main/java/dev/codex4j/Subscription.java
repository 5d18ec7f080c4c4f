package dev.codex4j;

import java.util.Objects;

/**
 * A listener of server notifications, registered with {@link CodexThread#subscribe} or
 * {@link Codex#subscribe}; close it to stop listening. The listener runs on a virtual thread of
 * this subscription's own, one notification at a time, in the order the server sent them; a slow
 * listener delays nobody else.
 *
 * <p>Bounded: at most {@link CodexBuilder#subscriptionBuffer(int)} notifications (1024 by
 * default) wait for the listener. A listener that falls further behind (slow, or never returns)
 * loses the <em>oldest</em> waiting notifications, one for each new one: the newest state
 * ({@code thread/status/changed}, {@code thread/tokenUsage/updated}) is the one worth keeping.
 * {@link #dropped()} counts them, and one WARNING per subscription is logged. The bound counts
 * notifications not yet given to the listener, and the reader enqueues a whole read batch (up to
 * a few thousand lines in a burst) before the listener's thread runs: keep the buffer above the
 * bursts you expect. The listener's own exceptions are logged at WARNING; it keeps receiving.
 *
 * <pre>{@code
 * try (Subscription s = thread.subscribe(n -> {
 *     if (n instanceof ServerNotification.ThreadStatusChanged c) System.out.println(c.params().status());
 * })) {
 *     thread.run("Build it");
 * }
 * }</pre>
 */
public final class Subscription implements AutoCloseable {
    private final dev.codex4j.internal.runtime.Subscription delegate;

    Subscription(dev.codex4j.internal.runtime.Subscription delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * @return this subscription's latency budget: how long a notification may wait for the
     *     listener beyond the dispatcher's window ({@link java.time.Duration#ZERO}: woken with every read batch)
     */
    public java.time.Duration maxDelay() {
        return delegate.latencyBudget();
    }

    /** @return notifications dropped so far because the listener fell too far behind */
    public long dropped() {
        return delegate.dropped();
    }

    /**
     * Stops listening: the listener gets nothing more, and its thread ends once the call it is in
     * (if any) returns. Idempotent; throws nothing.
     */
    @Override
    public void close() {
        delegate.close();
    }
}
