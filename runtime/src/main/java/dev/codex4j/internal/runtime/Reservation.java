package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A thread's one turn, from just before {@code turn/start} is sent until the turn ends: the only
 * way to run a turn on a thread id through this connection, so two turns can never run on one
 * thread at once (the server would treat the second {@code turn/start} as a steer). While it is
 * held, server requests of that thread go to its handler, and messages of that thread's turns that
 * nobody has claimed yet are never dropped by the held-message bounds.
 *
 * <p>Lifecycle (every transition under the router's lock; the release action after it): reserved ({@link #claim} not yet
 * called; the {@code turn/start} reply is in flight) to claimed (bound to one turn id) to
 * released, which happens when that turn's {@code turn/completed} is routed (or settled by the
 * watchdog), when {@link #close()} is called before a claim, or when the connection ends.
 *
 * <pre>{@code
 * try (Reservation r = Objects.requireNonNull(connection.tryReserveTurn(threadId, handler))) {
 *     String turnId = startTheTurn();            // turn/start
 *     TurnMailbox box = r.claim(turnId);
 * }
 * }</pre>
 */
public final class Reservation implements AutoCloseable {
    private final Router router;
    private final String threadId;
    private final @Nullable ServerRequestHandler handler;
    private final CountDownLatch released = new CountDownLatch(1);
    /** Runs once, on release: the SDK frees its turn slot there. */
    private final java.util.concurrent.atomic.AtomicReference<@Nullable Runnable> onRelease =
            new java.util.concurrent.atomic.AtomicReference<>();
    // Guarded by router.lock.
    @Nullable TurnRoute route;
    boolean isReleased;
    /** What the SDK hangs on it (its turn handle), held weakly so that it can be collected. */
    private volatile java.lang.ref.@Nullable WeakReference<Object> attachment;

    Reservation(Router router, String threadId, @Nullable ServerRequestHandler handler) {
        this.router = router;
        this.threadId = threadId;
        this.handler = handler;
    }

    /** @return the thread */
    public String threadId() {
        return threadId;
    }

    /** @return the handler of this thread's server requests while the reservation is held, or null */
    public @Nullable ServerRequestHandler handler() {
        return handler;
    }

    /** @return the claimed turn's id, or null before the claim */
    public @Nullable String turnId() {
        TurnRoute r = route;
        return r == null ? null : r.turnId;
    }

    /**
     * Binds the reservation to the turn the server started and returns its mailbox, which holds
     * every message of the turn that arrived before.
     *
     * @param turnId the id from the {@code turn/start} reply
     * @return the turn's mailbox
     * @throws IllegalStateException when already claimed or released, or when the turn's mailbox
     *     is claimed by someone else
     *     (a turn whose messages a bound discarded is returned too: consuming it says so)
     */
    public TurnMailbox claim(String turnId) {
        return router.claim(this, turnId);
    }

    /** @return whether the reservation has been released */
    public boolean isReleased() {
        return released.getCount() == 0;
    }

    /**
     * Waits until the reservation is released (its turn ended).
     *
     * @param max the longest wait
     * @return whether it was released in time
     */
    public boolean awaitRelease(Duration max) throws InterruptedException {
        return released.await(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @param value what to hang on the reservation (kept weakly) */
    public void attach(@Nullable Object value) {
        attachment = value == null ? null : new java.lang.ref.WeakReference<>(value);
    }

    /** @return what was attached, if it is still reachable */
    public @Nullable Object attachment() {
        java.lang.ref.WeakReference<Object> a = attachment;
        return a == null ? null : a.get();
    }

    /**
     * Runs {@code action} once when the reservation is released (at once if it already is), on the
     * releasing thread (the dispatcher when the turn's {@code turn/completed} ends it) after that
     * thread released the router's lock: it may take other locks, but must be short and must not
     * block (one slower than {@link ConnectionOptions#slowCallbackThreshold()} is logged). At most
     * one action.
     *
     * @param action what to run
     * @throws IllegalStateException when an action is set already
     */
    public void whenReleased(Runnable action) {
        Runnable prev = onRelease.compareAndExchange(null, java.util.Objects.requireNonNull(action, "action"));
        if (prev == DONE) {
            action.run(); // released before: its release found no action
            return;
        }
        if (prev != null) {
            throw new IllegalStateException("reservation of thread " + threadId + " has a release action already");
        }
        if (isReleased()) {
            runOnRelease();
        }
    }

    private void runOnRelease() {
        Runnable r = onRelease.getAndSet(DONE);
        if (r != null && r != DONE) {
            r.run();
        }
    }

    private static final Runnable DONE = () -> {};

    /**
     * Router, under its lock: marks it released and wakes whoever waits for it. Its release action
     * runs after the lock is released ({@link Router#unlock()}), never under it.
     */
    void markReleased() {
        assert router.lock.isHeldByCurrentThread();
        isReleased = true;
        released.countDown();
        if (onRelease.get() != null) {
            // A whenReleased racing with this sees isReleased() and runs its action itself.
            router.afterUnlock(this::runOnRelease);
        }
    }

    /**
     * Releases the reservation if it was never claimed (the {@code turn/start} failed). After a
     * claim it does nothing: the turn's end releases it. Idempotent.
     */
    @Override
    public void close() {
        router.releaseUnclaimed(this);
    }

    @Override
    public String toString() {
        return "Reservation[thread " + threadId + (route != null ? ", turn " + route.turnId : ", starting")
                + (isReleased() ? ", released" : "") + "]";
    }
}
