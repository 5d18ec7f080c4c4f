package dev.codex4j.internal.sdk;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One subscription of a pull-based {@link Flow.Publisher}: a loop on one thread of its own (a
 * virtual thread the publisher starts with {@link #run()}) that signals {@code onSubscribe}, then
 * pulls one item from its {@link Source} for each unit of demand and hands it to {@code onNext},
 * and ends with {@code onComplete} or {@code onError}. Every signal to the subscriber comes from
 * that thread, so they are serial; {@link #request} and {@link #cancel} may be called from any
 * thread (and from inside {@code onNext}: a request there only adds demand, no recursion).
 *
 * <p>Nothing is pulled without demand: an item is taken from the source only when the subscriber
 * has asked for one, so what is not yet requested stays in the source, whose own bound (and
 * typed error past it) applies. {@link Source#atEnd()} lets an ended source complete without
 * demand; a source's exception becomes {@code onError}, as does a non-positive request (rule
 * 3.9, {@link IllegalArgumentException}). {@link #cancel()} stops the loop (interrupting the
 * thread when it waits for the source or for demand), drops the subscriber and tells the source
 * ({@link Source#cancelled()}); the source is always {@link Source#close() closed} on the loop's
 * thread when it ends, for any reason.
 *
 * @param <T> the items
 */
public final class FlowEmitter<T> implements Flow.Subscription, Runnable {
    private static final System.Logger LOG = System.getLogger(FlowEmitter.class.getName());

    /** Where the items come from; called on the emitter's thread only (except {@link #cancelled()}). */
    public interface Source<T> {
        /**
         * Waits for the next item; called only when the subscriber has demand.
         *
         * @return the item, or null when there are no more
         * @throws RuntimeException to fail the subscription ({@code onError})
         */
        @Nullable T next();

        /** @return whether this item is the last one: {@code onComplete} follows at once */
        default boolean isLast(T item) {
            return false;
        }

        /** @return whether the source has ended already (checked without demand): {@code onComplete} at once */
        default boolean atEnd() {
            return false;
        }

        /**
         * @return an error that ends the subscription at once, demand or not (checked before each
         *     item and after each wake-up), or null
         */
        default @Nullable RuntimeException failure() {
            return null;
        }

        /**
         * @return whether an interrupt of the emitter's thread that is not a cancel (its owner,
         *     the connection, is closing) completes the subscription; otherwise it fails it
         */
        default boolean completesOnInterrupt() {
            return false;
        }

        /** The subscriber has no demand and the emitter is about to wait for some. */
        default void idle() {
        }

        /** Demand came back after {@link #idle()}; may throw to fail the subscription. */
        default void busy() {
        }

        /** The subscriber cancelled; called on the cancelling thread, once. Must not block. */
        default void cancelled() {
        }

        /** The emitter ended (completed, failed or cancelled); called once, on its thread. */
        default void close() {
        }
    }

    private final Source<T> source;
    private final AtomicLong demand = new AtomicLong();
    private volatile Flow.@Nullable Subscriber<? super T> subscriber;
    private volatile boolean cancelled;
    private volatile @Nullable Throwable badRequest;
    private volatile @Nullable Thread thread;
    private volatile boolean wakeRequested;
    /** True while the loop waits in the source or for demand: only then does cancel interrupt it. */
    private volatile boolean waiting;

    /**
     * @param subscriber the subscriber
     * @param source where the items come from
     */
    public FlowEmitter(Flow.Subscriber<? super T> subscriber, Source<T> source) {
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public void request(long n) {
        if (cancelled) {
            return;
        }
        if (n <= 0) {
            badRequest = new IllegalArgumentException(
                    "non-positive request " + n + " (Reactive Streams rule 3.9: request(n) needs n > 0)");
        } else {
            demand.getAndAccumulate(n, (d, add) -> d + add < 0 ? Long.MAX_VALUE : d + add);
        }
        unparkLoop();
    }

    private void unparkLoop() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        subscriber = null; // rule 3.13
        try {
            source.cancelled();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "cancelling a publisher's source failed: " + e);
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            if (waiting) {
                t.interrupt();
            }
        }
    }

    /** Wakes the loop to look at {@link Source#failure()} and {@link Source#atEnd()} again. */
    public void wake() {
        wakeRequested = true;
        unparkLoop();
    }

    /** The emitter's loop; run it on a thread of its own. */
    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            loop();
        } finally {
            closeSource();
            Thread.interrupted(); // a late cancel's interrupt stays here
        }
    }

    /** Fails the subscription before it started (its publisher refused it): onSubscribe, then onError. */
    public void reject(Throwable error) {
        thread = Thread.currentThread();
        try {
            if (signal("onSubscribe", null)) {
                error(error);
            }
        } finally {
            closeSource();
        }
    }

    /**
     * Starts this emitter on a thread {@code connection} owns (closing the client ends it); when
     * the connection is closed already, fails the subscription instead, on a virtual thread of its
     * own ({@link dev.codex4j.errors.TransportClosedException} unless the connection gave a typed error).
     *
     * @param connection the connection that owns the subscription's thread
     * @param name the thread's name
     */
    public void startOn(dev.codex4j.internal.runtime.Connection connection, String name) {
        try {
            connection.startThread(name, this);
        } catch (RuntimeException e) {
            Thread.ofVirtual().name(name).start(() -> reject(e instanceof dev.codex4j.errors.CodexException c ? c
                    : new dev.codex4j.errors.TransportClosedException("the client is closed", null, "", e)));
        }
    }

    /**
     * Refuses a subscriber before anything is pulled: {@code onSubscribe} then {@code onError},
     * on a virtual thread of its own.
     *
     * @param subscriber the subscriber
     * @param error why
     * @param name the thread's name
     * @param <T> the items
     */
    public static <T> void refuse(Flow.Subscriber<? super T> subscriber, Throwable error, String name) {
        FlowEmitter<T> emitter = new FlowEmitter<>(subscriber, () -> null); // never pulled
        Thread.ofVirtual().name(name).start(() -> emitter.reject(error));
    }

    /** The emitter ended: nothing more is signalled, and the source is closed, once. */
    private void closeSource() {
        subscriber = null;
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "closing a publisher's source failed: " + e);
        }
    }

    private void loop() {
        if (!signal("onSubscribe", null)) {
            return;
        }
        boolean idle = false;
        while (!cancelled) {
            try {
                if (badRequest != null) {
                    error(badRequest);
                    return;
                }
                RuntimeException failure = source.failure();
                if (failure != null) {
                    error(failure);
                    return;
                }
                if (demand.get() == 0) {
                    if (source.atEnd()) {
                        complete();
                        return;
                    }
                    if (!idle) {
                        idle = true;
                        source.idle();
                    }
                    waiting = true;
                    if (demand.get() == 0 && badRequest == null && !cancelled && !wakeRequested) {
                        LockSupport.park(this);
                    }
                    waiting = false;
                    wakeRequested = false;
                    if (Thread.interrupted() && !cancelled) {
                        // Not a cancel: the owner (the client) is closing and ends its threads.
                        if (source.atEnd() || source.completesOnInterrupt()) {
                            complete();
                        } else {
                            error(Waits.interrupted("the subscriber's demand (the client is closing)",
                                    new InterruptedException()));
                        }
                        return;
                    }
                    continue;
                }
                if (idle) {
                    idle = false;
                    source.busy();
                }
                waiting = true;
                T item = source.next();
                waiting = false;
                if (cancelled) {
                    return;
                }
                if (item == null) {
                    complete();
                    return;
                }
                if (demand.get() != Long.MAX_VALUE) {
                    demand.decrementAndGet();
                }
                if (!signal("onNext", item)) {
                    return;
                }
                if (source.isLast(item)) {
                    complete();
                    return;
                }
            } catch (RuntimeException e) {
                waiting = false;
                if (!cancelled) {
                    error(e);
                }
                return;
            }
        }
    }

    /**
     * Signals {@code onSubscribe} (item null) or {@code onNext(item)} to the subscriber, if it is
     * still there.
     *
     * @return whether the loop goes on: false when the subscriber is gone (cancelled) or threw
     *     (rule 2.13: its subscription is then cancelled)
     */
    private boolean signal(String signal, @Nullable T item) {
        Flow.Subscriber<? super T> s = subscriber;
        if (s == null) {
            return false;
        }
        try {
            if (item == null) {
                s.onSubscribe(this);
            } else {
                s.onNext(item);
            }
            return true;
        } catch (RuntimeException e) {
            broken(signal, e);
            return false;
        }
    }

    private void complete() {
        end(null);
    }

    private void error(Throwable e) {
        end(e);
    }

    /** The last signal, once: {@code onComplete} (error null) or {@code onError}; nothing after a cancel. */
    private void end(@Nullable Throwable error) {
        Flow.Subscriber<? super T> s = subscriber;
        if (s != null && !cancelled) {
            cancelled = true;
            subscriber = null;
            try {
                if (error == null) {
                    s.onComplete();
                } else {
                    s.onError(error);
                }
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "A Flow subscriber threw from " + (error == null ? "onComplete" : "onError")
                        + " (rule 2.13): " + x);
            }
        }
    }

    /** The subscriber broke rule 2.13 (threw): the subscription is cancelled. */
    private void broken(String signal, RuntimeException e) {
        LOG.log(Level.WARNING, "A Flow subscriber threw from " + signal + " (rule 2.13); its subscription is cancelled: " + e);
        cancel();
    }
}
