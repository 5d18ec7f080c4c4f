package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The dispatcher's wake-ups owed for the read batch being routed: each consumer that got a message
 * it wants to be woken for is listed once, and signalled once at the end of the batch, before the
 * dispatcher reads again (a read may block, so no wake-up is ever left owed across it). Confined
 * to the dispatcher thread.
 *
 * <p>A consumer with a latency budget ({@link Wakeable#budgetNanos}) is woken at most once per
 * budget while its messages keep coming ({@link #wakeWithin}): the first message after a quiet
 * spell wakes it with the batch (leading edge); later ones defer its wake to one budget after the
 * last wake, less the time the dispatcher's own window grew beyond the base window
 * ({@link #leadNanos}), so that no message waits longer than its budget plus the base window.
 * Deferred wakes sit in a min-heap by due time; the dispatcher pays those that are due at the end
 * of every batch and never blocks in a read while one is deferred (see {@code Dispatcher}).
 */
final class Batch {
    private final ArrayList<Wakeable> owed = new ArrayList<>();
    private final ArrayList<Wakeable> parked = new ArrayList<>();
    /** Unparks many consumers from a carrier thread, where it is cheaper; null: unpark here. */
    private final java.util.function.@org.jspecify.annotations.Nullable Consumer<Wakeable[]> waker;
    /** Deferred wakes: a binary min-heap of due times with the consumer of each (stale if its dueNanos moved). */
    private long[] dues = new long[64];
    private Wakeable[] deferred = new Wakeable[64];
    private int heapSize;

    Batch(java.util.function.@org.jspecify.annotations.Nullable Consumer<Wakeable[]> waker) {
        this.waker = waker;
    }
    /** nanoTime at the start of the batch: the arrival time of every message in it. */
    long nowNanos;
    int lines;
    /**
     * How much longer than the base coalescing window this batch's lines may have waited in the
     * link (the dispatcher slept a relaxed window before reading them): deferred wakes come that
     * much earlier.
     */
    long leadNanos;

    void wake(Wakeable w) {
        if (!w.wakeMarked) {
            w.wakeMarked = true;
            owed.add(w);
        }
    }

    /**
     * Owes {@code w} a wake within its budget: now when it has not been woken for a budget (or has
     * none), else deferred to one budget after its last wake (once: a wake already deferred stands).
     */
    void wakeWithin(Wakeable w) {
        long budget = w.budgetNanos;
        if (budget <= 0 || w.lastWakeNanos == 0) {
            wake(w);
            return;
        }
        if (w.dueNanos != 0 || w.wakeMarked) {
            return; // a wake is already owed or deferred: it comes within the budget
        }
        long due = w.lastWakeNanos + budget - leadNanos;
        if (due - nowNanos <= 0) {
            wake(w);
            return;
        }
        w.dueNanos = due;
        push(due, w);
    }

    /** @return whether a wake is deferred */
    boolean hasDeferred() {
        return heapSize > 0;
    }

    /** @return the nanoTime of the earliest deferred wake (maybe stale: then earlier than needed) */
    long earliestDue() {
        return heapSize == 0 ? Long.MAX_VALUE : dues[0];
    }

    /** Pays the owed wakes and the deferred ones due by now. @return how many consumers were signalled */
    int flush() {
        return flush(System.nanoTime(), false);
    }

    /** Pays the owed wakes and every deferred one, due or not (end of stream, failure). */
    int flushAll() {
        return flush(System.nanoTime(), true);
    }

    /** Pays the owed wakes and the deferred ones due by {@code now} (all of them with {@code all}). */
    int flush(long now, boolean all) {
        while (heapSize > 0 && (all || dues[0] - now <= 0)) {
            long due = dues[0];
            Wakeable w = pop();
            if (w.dueNanos == due) {
                wake(w);
            }
        }
        int n = owed.size();
        if (n == 0) {
            return 0;
        }
        // One fence for the whole batch: every offer above is visible before any waiter is read.
        VarHandle.fullFence();
        for (int i = 0; i < n; i++) {
            Wakeable w = owed.get(i);
            w.wakeMarked = false;
            w.dueNanos = 0;
            w.sinceWake = 0;
            w.lastWakeNanos = now;
            if (w.isWaiting()) {
                parked.add(w);
            }
        }
        owed.clear();
        int p = parked.size();
        if (p == 1 || (p > 1 && waker == null)) {
            for (int i = 0; i < p; i++) {
                parked.get(i).unparkIfWaiting();
            }
        } else if (p > 1) {
            waker.accept(parked.toArray(new Wakeable[0]));
        }
        parked.clear();
        return p;
    }

    private void push(long due, Wakeable w) {
        if (heapSize == dues.length) {
            dues = Arrays.copyOf(dues, heapSize * 2);
            deferred = Arrays.copyOf(deferred, heapSize * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (dues[parent] - due <= 0) {
                break;
            }
            dues[i] = dues[parent];
            deferred[i] = deferred[parent];
            i = parent;
        }
        dues[i] = due;
        deferred[i] = w;
    }

    private Wakeable pop() {
        Wakeable top = deferred[0];
        int last = --heapSize;
        long due = dues[last];
        Wakeable w = deferred[last];
        deferred[last] = null;
        int i = 0;
        for (;;) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && dues[child + 1] - dues[child] < 0) {
                child++;
            }
            if (due - dues[child] <= 0) {
                break;
            }
            dues[i] = dues[child];
            deferred[i] = deferred[child];
            i = child;
        }
        if (last > 0) {
            dues[i] = due;
            deferred[i] = w;
        }
        return top;
    }
}
