package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;

/**
 * A consumer the dispatcher wakes at the end of a read batch rather than per message. The flag is
 * confined to the dispatcher: it marks an entry once per batch and clears it when it signals.
 */
abstract class Wakeable {
    /** Dispatcher only: already in this batch's wake list. */
    boolean wakeMarked;

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
