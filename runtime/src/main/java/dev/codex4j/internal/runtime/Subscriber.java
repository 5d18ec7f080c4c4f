package dev.codex4j.internal.runtime;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import java.util.function.Consumer;

/**
 * A listener with a virtual thread and a queue of its own: the dispatcher enqueues without
 * waiting (and wakes it once per read batch, or with a latency budget at most once per budget:
 * see {@link Batch#wakeWithin}), the subscription's thread calls the listener in order. A slow listener delays only itself. When the connection closes, the listener still gets
 * what had arrived (unless the client closed it), then the thread ends; when the subscription is
 * closed, the thread ends at once.
 *
 * <p>Bounded: when {@code capacity} messages wait (a listener that is slow, or never returns), the
 * dispatcher drops the oldest waiting one for each new one, counts it ({@link #dropped()}) and logs
 * one WARNING per subscription. Only the dispatcher enqueues (under the router's lock), so the
 * queue has one producer; the drop is a poll by that producer, and {@link #pollLock} keeps it and
 * the consumer's polls apart (taken by the dispatcher only when the queue is full).
 */
final class Subscriber extends Wakeable implements Subscription {
    private static final System.Logger LOG = System.getLogger(Subscriber.class.getName());

    private final Closure closure;
    private final Consumer<Inbound> listener;
    private final MpscParkingQueue<Inbound> queue = new MpscParkingQueue<>();
    private final Runnable onClose;
    private final int capacity;
    /** Whether it also gets the notifications of the thread's turns (thread subscribers only). */
    final boolean withTurns;
    /** Messages waiting: incremented by the dispatcher, decremented by whoever polls. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.concurrent.locks.ReentrantLock pollLock = new java.util.concurrent.locks.ReentrantLock();
    private final LongAdder dropped = new LongAdder();
    /** Dispatcher only: whether the one WARNING about drops was logged. */
    private boolean warned;
    private final String name;
    private volatile boolean closed;

    /**
     * Messages that wake the listener at once whatever its budget: half its capacity (so that a
     * budget never makes it drop), at most the connection's high-water mark.
     */
    final int highWaterMark;

    Subscriber(Closure closure, Consumer<Inbound> listener, Runnable onClose) {
        this(closure, listener, onClose, Integer.MAX_VALUE, false, "a subscriber", 0, 1024);
    }

    Subscriber(Closure closure, Consumer<Inbound> listener, Runnable onClose, int capacity, boolean withTurns,
            String name, long budgetNanos, int wakeHighWaterMark) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.budgetNanos = budgetNanos;
        this.highWaterMark = Math.max(1, Math.min(capacity / 2, wakeHighWaterMark));
        this.closure = closure;
        this.listener = listener;
        this.onClose = onClose;
        this.capacity = capacity;
        this.withTurns = withTurns;
        this.name = name;
    }

    /** Dispatcher: never blocks on the listener; the wake comes with the batch. Drops the oldest when full. */
    void offerQuietly(Inbound in) {
        if (closed) {
            return;
        }
        if (waiting.get() >= capacity) {
            Inbound oldest;
            pollLock.lock();
            try {
                oldest = queue.poll();
            } finally {
                pollLock.unlock();
            }
            if (oldest != null) {
                waiting.decrementAndGet();
                dropped.increment();
                if (!warned) {
                    warned = true;
                    LOG.log(Level.WARNING, "The listener of " + name + " is " + capacity + " notifications behind"
                            + " (slow, or it never returns): dropping the oldest waiting one for each new one;"
                            + " Subscription.dropped() counts them. This is logged once per subscription.");
                }
            }
        }
        waiting.incrementAndGet();
        queue.offerQuietly(in);
    }

    @Override
    public java.time.Duration latencyBudget() {
        return java.time.Duration.ofNanos(budgetNanos);
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    /** The subscription's thread: the next message, or null when none waits. */
    private @Nullable Inbound poll() {
        Inbound in;
        pollLock.lock();
        try {
            in = queue.poll();
        } finally {
            pollLock.unlock();
        }
        if (in != null) {
            waiting.decrementAndGet();
        }
        return in;
    }

    @Override
    void unparkIfWaiting() {
        queue.unparkIfWaiting();
    }

    @Override
    boolean isWaiting() {
        return queue.isWaiting();
    }

    /** The subscription's own thread. */
    void run() {
        for (;;) {
            Inbound in = poll();
            if (in == null) {
                try {
                    queue.awaitUntil(Long.MAX_VALUE, () -> !queue.isEmpty(), () -> closed || closure.isClosed());
                } catch (InterruptedException e) {
                    // close() of the connection interrupts stragglers; re-check why we were woken.
                }
                if (closed) {
                    return;
                }
                in = poll();
            }
            if (closed) {
                return;
            }
            if (in == null) {
                if (closure.isClosed()) {
                    Inbound rest;
                    while (!closed && !closure.byClient() && (rest = poll()) != null) {
                        deliver(rest);
                    }
                    return;
                }
                continue;
            }
            deliver(in);
        }
    }

    private void deliver(Inbound in) {
        try {
            listener.accept(in);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A listener failed on " + in.method() + "; it keeps receiving", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
        signal();
    }
}
