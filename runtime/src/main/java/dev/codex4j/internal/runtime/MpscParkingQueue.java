package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * The hand-off under every mailbox and subscription: an unbounded multi-producer single-consumer
 * JCTools queue, plus parking of its one consumer. Producers never block and never take a lock of
 * the queue; the consumer parks only after it has published itself as the waiter and re-checked
 * the queue, and a producer reads the waiter only after a full fence that follows its element, so
 * no wake-up is lost.
 *
 * <p>A producer may {@link #offerQuietly offer without waking} and {@link #signal} later, once per
 * batch of offers: that is how the dispatcher pays one wake-up per consumer per read batch instead
 * of one per message. Until the signal, a parked consumer does not see the new elements.
 *
 * <p>Unbounded by design: the dispatcher must never wait for a consumer. Bounds on memory are the
 * router's business (held and unconsumed byte budgets). Public only for the benchmarks; internal.
 *
 * <pre>{@code
 * MpscParkingQueue<Inbound> q = new MpscParkingQueue<>();
 * q.offerQuietly(a);
 * q.offerQuietly(b);
 * q.signal();                                   // one wake-up for both
 * Inbound first = q.await(Long.MAX_VALUE, () -> false);
 * }</pre>
 *
 * @param <E> the element type
 */
public final class MpscParkingQueue<E> {
    /** Creates an empty queue. */
    public MpscParkingQueue() {}

    /** 128 slots per chunk: a typical turn fits in one or two, and a chunk is cheap to allocate. */
    private static final int CHUNK = 128;

    private final MpscUnboundedVarHandleArrayQueue<E> queue = new MpscUnboundedVarHandleArrayQueue<>(CHUNK);
    private volatile @Nullable Thread waiter;

    /** Any thread: offers and wakes the consumer if it waits. Never blocks. */
    public void offer(E e) {
        queue.offer(e);
        signal();
    }

    /** Any thread: offers without waking; the producer must {@link #signal()} before it blocks. */
    public void offerQuietly(E e) {
        queue.offer(e);
    }

    /** Any thread: wakes the consumer if it waits (after a fence, so it sees every offer before). */
    public void signal() {
        // The element stores are release stores; without a full fence the read of waiter below
        // could be satisfied before them, and a consumer that just published itself would sleep.
        VarHandle.fullFence();
        unparkIfWaiting();
    }

    /** Any thread, after a full fence that follows its offers: unparks the consumer if it waits. */
    void unparkIfWaiting() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Any thread: whether the consumer has published itself as waiting (parked or about to park). */
    boolean isWaiting() {
        return waiter != null;
    }

    /** Consumer only. */
    public @Nullable E poll() {
        return queue.poll();
    }

    /** Consumer only. */
    int drain(Consumer<? super E> sink, int max) {
        return max <= 0 ? 0 : queue.drain(sink::accept, max);
    }

    /** Consumer, or a thread that holds the owner's lock while no consumer is attached. */
    void clear() {
        queue.clear();
    }

    /** Any thread; approximate while producers run. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Any thread; approximate while producers run. */
    int size() {
        return queue.size();
    }

    /**
     * Consumer only: the next element, waiting until one arrives, {@code stop} says to give up, or
     * the deadline passes.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@link Long#MAX_VALUE} for none
     * @param stop checked after every wake-up; when true, returns null
     * @return the element, or null on stop or deadline
     * @throws InterruptedException when interrupted while parked
     */
    public @Nullable E await(long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
        for (;;) {
            E e = queue.poll();
            if (e != null) {
                return e;
            }
            if (!park(deadlineNanos, stop, true)) {
                return null;
            }
        }
    }

    /**
     * Consumer only: waits until {@code ready} holds, {@code stop} holds or the deadline passes,
     * without taking anything.
     *
     * @return true when {@code ready} holds
     * @throws InterruptedException when interrupted while parked
     */
    boolean awaitUntil(long deadlineNanos, BooleanSupplier ready, BooleanSupplier stop) throws InterruptedException {
        for (;;) {
            if (ready.getAsBoolean()) {
                return true;
            }
            if (!park(deadlineNanos, () -> stop.getAsBoolean() || ready.getAsBoolean(), false)) {
                return ready.getAsBoolean();
            }
        }
    }

    /**
     * Publishes the caller as the waiter, re-checks, parks once. Returns false when it should give
     * up (stop, deadline), true when it should look again.
     */
    private boolean park(long deadlineNanos, BooleanSupplier stop, boolean recheckQueue) throws InterruptedException {
        if (stop.getAsBoolean()) {
            return false;
        }
        long remaining = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        waiter = Thread.currentThread();
        VarHandle.fullFence();
        try {
            if ((recheckQueue && !queue.isEmpty()) || stop.getAsBoolean()) {
                return true;
            }
            if (remaining == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, remaining);
            }
        } finally {
            waiter = null;
        }
        return true;
    }
}
