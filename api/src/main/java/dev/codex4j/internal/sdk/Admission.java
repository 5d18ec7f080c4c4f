package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.errors.CapacityExceededException;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turn admission of one client: how many turns run through it (for the fleet's placement), and,
 * when {@code maxConcurrentTurns} is set, a bounded wait for a free slot. A {@link Permit} is taken
 * before a turn's reservation and given back once, by whichever comes first: the reservation's
 * release action (the turn ended, its start failed, the connection was lost) or the turn's consumer
 * folding its {@code turn/completed}.
 *
 * <p>Owner: {@code active} is an atomic counter that any thread changes; the lock guards only the
 * waiters' condition. {@link Permit#release()} is safe from any thread, at any time, and never
 * blocks for long: the runtime runs it as a release action after its router's lock is released,
 * and it may come after the turn's consumer already went on (which is why the consumer gives the
 * permit back itself: a next {@code turn()} must not find its own finished turn's slot still taken).
 */
public final class Admission {
    private final int max;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled (under {@code lock}) after each release and on close. */
    private final Condition freed = lock.newCondition();
    private final CopyOnWriteArrayList<Runnable> freedListeners = new CopyOnWriteArrayList<>();
    /** Turns running or being started: changed by acquire (under the lock) and release (lock-free). */
    private final AtomicInteger active = new AtomicInteger();
    /** Threads in {@link #acquire} that found no slot: a release takes the lock only when there are some. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Permits whose turn's consumer does not have its result yet (see {@link Permit#settle()}). */
    private final AtomicInteger unsettled = new AtomicInteger();
    private volatile boolean closed;
    /** Set once by {@link #drain()}: no turn is admitted any more. */
    private volatile boolean draining;
    /** Why it drains, for the refusal's message: set before {@code draining}. */
    private volatile String drainReason = "This client is shutting down";

    /**
     * @param max the most turns at once ({@link Integer#MAX_VALUE} for no limit)
     * @param wait how long a turn over the limit waits for a slot
     */
    public Admission(int max, Duration wait) {
        this.max = max;
        this.wait = wait;
    }

    /**
     * A taken slot: {@link #release()} gives it back, once, whoever calls it first. Apart from
     * that, {@link #settle()} says that the turn's consumer has its result (or gave up): until
     * then a graceful shutdown waits for it ({@link #awaitIdle}), since the runtime may release
     * the slot when {@code turn/completed} arrives, before the consumer read it.
     */
    public final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean settled = new AtomicBoolean();

        private Permit() {
            unsettled.incrementAndGet();
        }

        /** Any thread, idempotent: the turn's consumer has its result, or will never read it. */
        public void settle() {
            if (settled.compareAndSet(false, true)) {
                unsettled.decrementAndGet();
                if (draining) {
                    signalAll();
                }
            }
        }

        /** Any thread, any time, idempotent: gives the slot back. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                Admission.this.release();
            }
        }
    }

    /**
     * Takes a slot, waiting up to the admission wait.
     *
     * @param what what it is for, named in the exception
     * @return the permit to give back when the turn ends
     * @throws CapacityExceededException when none was free in time
     */
    public Permit acquire(String what) {
        if (draining) {
            throw shuttingDown(what);
        }
        if (tryTake()) {
            return new Permit();
        }
        Deadline deadline = Deadline.after(wait);
        waiting.incrementAndGet();
        lock.lock();
        try {
            while (!tryTake()) {
                if (draining) {
                    throw shuttingDown(what);
                }
                if (deadline.isExpired()) {
                    throw new CapacityExceededException("All " + max + " turn slots of this client are taken (waited "
                            + wait + " for one); " + what + " was not started");
                }
                freed.awaitNanos(deadline.remainingNanos());
            }
            return new Permit();
        } catch (InterruptedException e) {
            throw Waits.interrupted("a turn slot", e);
        } finally {
            lock.unlock();
            waiting.decrementAndGet();
        }
    }

    /**
     * A slot for a turn the server started by itself (adopted by the client): taken whatever the
     * limit, since the turn runs already.
     *
     * @return the permit to give back when the turn ends
     */
    public Permit adopt() {
        active.incrementAndGet();
        return new Permit();
    }

    private CapacityExceededException shuttingDown(String what) {
        return new CapacityExceededException(drainReason + " and takes no new turns; " + what + " was not started");
    }

    /** A closed client takes any number of turns: their turn() then fails on the closed connection. */
    private boolean tryTake() {
        while (true) {
            int n = active.get();
            if (n >= max && !closed) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void release() {
        active.decrementAndGet();
        if (waiting.get() > 0 || draining) {
            signalAll();
        }
        for (Runnable r : freedListeners) {
            r.run();
        }
    }

    private void signalAll() {
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The fleet: runs {@code listener} (short, non-blocking, takes no lock the caller may hold) after each release. */
    public void onFreed(Runnable listener) {
        freedListeners.add(listener);
    }

    /**
     * Any thread: admits no turn from now on ({@link #acquire} throws
     * {@link CapacityExceededException}, also to those waiting for a slot now). Idempotent.
     */
    public void drain() {
        draining = true;
        signalAll();
    }

    /**
     * Any thread: as {@link #drain()}, the refusals saying why.
     *
     * @param reason the start of the refusal's message, for example "Endpoint x is drained (...)"
     */
    public void drain(String reason) {
        if (!draining) {
            drainReason = reason;
        }
        drain();
    }

    /** @return whether {@link #drain()} was called */
    public boolean isDraining() {
        return draining;
    }

    /**
     * The caller's thread: waits until no turn runs and every started turn's consumer has its
     * result, at most until {@code deadline}.
     *
     * @return whether no turn runs and none is left unread
     * @throws InterruptedException when the caller is interrupted
     */
    public boolean awaitIdle(Deadline deadline) throws InterruptedException {
        lock.lock();
        try {
            while (active.get() > 0 || unsettled.get() > 0) {
                if (deadline.isExpired()) {
                    return false;
                }
                // release() signals while draining; the bounded wait also covers a release that
                // raced ahead of drain()'s flag.
                freed.awaitNanos(Math.min(deadline.remainingNanos(), 50_000_000L));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters of a closed client (their turn() then fails on the closed connection). */
    public void close() {
        closed = true;
        signalAll();
    }

    /** @return turns running or being started */
    public int active() {
        return active.get();
    }

    /** @return turns waiting for a free slot now (the fleet's placement counts them as load) */
    public int waiting() {
        return waiting.get();
    }

    /** @return the most turns at once (Integer.MAX_VALUE when unlimited) */
    public int max() {
        return max;
    }

    /** @return whether a slot is free now */
    public boolean hasFree() {
        return active.get() < max;
    }
}
