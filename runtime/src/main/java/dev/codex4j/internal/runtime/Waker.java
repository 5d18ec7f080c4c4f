package dev.codex4j.internal.runtime;

import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Unparks the consumers of a read batch from a carrier thread. The dispatcher is a platform
 * thread, and each unpark of a virtual thread from there is an external submission to the
 * virtual-thread scheduler that may wake a parked carrier; handing the batch's parked consumers to
 * one virtual thread costs the dispatcher one such unpark, and the rest are queued on the carrier
 * the waker runs on. Runs on its own virtual thread ({@code codex4j-waker}) until the connection
 * ends.
 */
final class Waker implements Consumer<Wakeable[]> {
    private final MpscParkingQueue<Wakeable[]> queue = new MpscParkingQueue<>();
    private final Closure closure;

    Waker(Closure closure) {
        this.closure = closure;
    }

    /** Dispatcher: hands over a batch's parked consumers. */
    @Override
    public void accept(Wakeable[] parked) {
        queue.offer(parked);
    }

    /** Wakes the waker so that it sees the connection's end. */
    void stop() {
        queue.signal();
    }

    /** The waker's own thread. */
    void run() {
        for (;;) {
            Wakeable[] batch;
            try {
                batch = queue.await(Long.MAX_VALUE, closure::isClosed);
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return; // closed: every consumer is woken by the connection's end
            }
            VarHandle.fullFence();
            for (Wakeable w : batch) {
                w.unparkIfWaiting();
            }
        }
    }
}
