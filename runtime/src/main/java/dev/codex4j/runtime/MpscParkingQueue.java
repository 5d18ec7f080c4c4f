package dev.codex4j.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * The hand-off under every mailbox and subscription: an unbounded multi-producer single-consumer
 * JCTools queue, plus parking of its one consumer. Producers never block and never take a lock;
 * the consumer parks only after it has published itself as the waiter and re-checked the queue,
 * and a producer unparks the waiter after its element is visible, so no wake-up is lost.
 *
 * <p>Unbounded by design: the dispatcher must never wait for a consumer. Bounds on memory are the
 * callers' business (the held-message bounds for unclaimed turns; claimed turns are drained by
 * their consumer at the rate the server produces).
 *
 * @param <E> the element type
 */
final class MpscParkingQueue<E> {
    /** 128 slots per chunk: a typical turn fits in one or two, and a chunk is cheap to allocate. */
    private static final int CHUNK = 128;

    private final MpscUnboundedVarHandleArrayQueue<E> queue = new MpscUnboundedVarHandleArrayQueue<>(CHUNK);
    private volatile @Nullable Thread waiter;

    /** Any thread. Never blocks. */
    void offer(E e) {
        queue.offer(e);
        // The element store is a release store; without a full fence the read of waiter below
        // could be satisfied before it, and a consumer that just published itself would sleep.
        VarHandle.fullFence();
        wake();
    }

    /** Any thread: wakes the consumer so it re-checks its stop condition. */
    void wake() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Consumer only. */
    @Nullable E poll() {
        return queue.poll();
    }

    /** Consumer only. */
    int drain(Consumer<? super E> sink, int max) {
        return max <= 0 ? 0 : queue.drain(sink::accept, max);
    }

    /** Any thread; approximate while producers run. */
    boolean isEmpty() {
        return queue.isEmpty();
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
    @Nullable E await(long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
        for (;;) {
            E e = queue.poll();
            if (e != null) {
                return e;
            }
            if (stop.getAsBoolean()) {
                return null;
            }
            long remaining = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            waiter = Thread.currentThread();
            VarHandle.fullFence();
            try {
                e = queue.poll();
                if (e != null) {
                    return e;
                }
                if (stop.getAsBoolean()) {
                    return null;
                }
                if (remaining == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, remaining);
                }
            } finally {
                waiter = null;
            }
        }
    }
}
