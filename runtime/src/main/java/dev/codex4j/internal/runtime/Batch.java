package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;

/**
 * The dispatcher's wake-ups owed for the read batch being routed: each consumer that got a message
 * it wants to be woken for is listed once, and signalled once at the end of the batch, before the
 * dispatcher reads again (a read may block, so no wake-up is ever left owed across it). Confined
 * to the dispatcher thread.
 */
final class Batch {
    private final ArrayList<Wakeable> owed = new ArrayList<>();
    private final ArrayList<Wakeable> parked = new ArrayList<>();
    /** Unparks many consumers from a carrier thread, where it is cheaper; null: unpark here. */
    private final java.util.function.@org.jspecify.annotations.Nullable Consumer<Wakeable[]> waker;

    Batch(java.util.function.@org.jspecify.annotations.Nullable Consumer<Wakeable[]> waker) {
        this.waker = waker;
    }
    /** nanoTime at the start of the batch: the arrival time of every message in it. */
    long nowNanos;
    int lines;

    void wake(Wakeable w) {
        if (!w.wakeMarked) {
            w.wakeMarked = true;
            owed.add(w);
        }
    }

    /** @return how many consumers were signalled */
    int flush() {
        int n = owed.size();
        if (n == 0) {
            return 0;
        }
        // One fence for the whole batch: every offer above is visible before any waiter is read.
        VarHandle.fullFence();
        for (int i = 0; i < n; i++) {
            Wakeable w = owed.get(i);
            w.wakeMarked = false;
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
}
