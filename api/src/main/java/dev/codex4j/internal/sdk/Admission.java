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
    private volatile boolean closed;

    /**
     * @param max the most turns at once ({@link Integer#MAX_VALUE} for no limit)
     * @param wait how long a turn over the limit waits for a slot
     */
    public Admission(int max, Duration wait) {
        this.max = max;
        this.wait = wait;
    }

    /** A taken slot: {@link #release()} gives it back, once, whoever calls it first. */
    public final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit() {}

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
        if (tryTake()) {
            return new Permit();
        }
        Deadline deadline = Deadline.after(wait);
        waiting.incrementAndGet();
        lock.lock();
        try {
            while (!tryTake()) {
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
        if (waiting.get() > 0) {
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
