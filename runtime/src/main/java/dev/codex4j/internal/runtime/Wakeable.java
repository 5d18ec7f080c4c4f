package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;

/**
 * A consumer the dispatcher wakes at the end of a read batch rather than per message, or, when it
 * has a latency budget, at most once per budget ({@link Batch#wakeWithin}). The fields but
 * {@link #budgetNanos} are confined to the dispatcher: it marks an entry once per batch, notes when
 * it last woke it and when a deferred wake is due, and clears the mark when it signals.
 */
abstract class Wakeable {
    /** Dispatcher only: already in this batch's wake list. */
    boolean wakeMarked;
    /** Dispatcher only: nanoTime of the last wake paid to this consumer; 0: never. */
    long lastWakeNanos;
    /** Dispatcher only: nanoTime by which a deferred wake is due; 0: none is deferred. */
    long dueNanos;
    /** Dispatcher only: messages since the last wake was paid (for the high-water mark). */
    int sinceWake;
    /**
     * The consumer's latency budget: how long a message may wait for it beyond the dispatcher's
     * window. 0: woken at the end of every read batch that brought it something. Written under the
     * router's lock (attach, subscribe), read by the dispatcher under it.
     */
    volatile long budgetNanos;

    /** Unparks the consumer if it waits; the caller has issued a full fence after its offers. */
    abstract void unparkIfWaiting();

    /** @return whether the consumer is parked (or about to park) right now; after a full fence */
    abstract boolean isWaiting();

    /** Any thread: wakes the consumer if it waits. */
    final void signal() {
        VarHandle.fullFence();
        unparkIfWaiting();
    }
}
