package dev.codex4j;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client's turn slots: how many turns run through it (for the fleet's placement), and, when
 * {@link Codex.Builder#maxConcurrentTurns} is set, admission with a bounded wait. A slot is taken
 * before a turn's reservation and given back when the reservation is released (the turn ended,
 * its start failed, or the connection was lost). One lock; waiters are woken on each release.
 */
final class TurnSlots {
    private final int max;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> freedListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private int active;
    private boolean closed;

    TurnSlots(int max, Duration wait) {
        this.max = max;
        this.wait = wait;
    }

    /**
     * Takes a slot, waiting up to the admission wait.
     *
     * @throws CapacityExceededException when none was free in time
     */
    void acquire(String what) {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (active >= max && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new CapacityExceededException("All " + max + " turn slots of this client are taken (waited "
                            + wait + " for one); " + what + " was not started");
                }
                freed.awaitNanos(left);
            }
            active++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.codex4j.protocol.CodexException("Interrupted while waiting for a turn slot", e);
        } finally {
            lock.unlock();
        }
    }

    /** Any thread, never blocks for long: gives a slot back. */
    void release() {
        lock.lock();
        try {
            active--;
            freed.signal();
        } finally {
            lock.unlock();
        }
        for (Runnable r : freedListeners) {
            r.run();
        }
    }

    /** The fleet: runs {@code listener} (short, non-blocking) after each release. */
    void onFreed(Runnable listener) {
        freedListeners.add(listener);
    }

    /** Wakes waiters of a closed client (their turn() then fails on the closed connection). */
    void close() {
        lock.lock();
        try {
            closed = true;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return turns running or being started */
    int active() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** @return the most turns at once (Integer.MAX_VALUE when unlimited) */
    int max() {
        return max;
    }

    /** @return whether a slot is free now */
    boolean hasFree() {
        return active() < max;
    }
}
