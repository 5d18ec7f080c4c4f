package dev.codex4j.runtime;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * A listener with a virtual thread and an MPSC queue of its own: the dispatcher enqueues without
 * waiting, the subscription's thread calls the listener in order. A slow listener delays only
 * itself. When the connection closes, the listener still gets what had arrived, then the thread
 * ends; when the subscription is closed, the thread ends at once.
 */
final class MpscParkingSubscription implements Subscription {
    private static final System.Logger LOG = System.getLogger(MpscParkingSubscription.class.getName());

    private final Connection connection;
    private final Consumer<Inbound> listener;
    private final MpscParkingQueue<Inbound> queue = new MpscParkingQueue<>();
    private final Runnable onClose;
    private volatile boolean closed;

    MpscParkingSubscription(Connection connection, Consumer<Inbound> listener, Runnable onClose) {
        this.connection = connection;
        this.listener = listener;
        this.onClose = onClose;
    }

    /** Dispatcher: never blocks. */
    void offer(Inbound in) {
        if (!closed) {
            queue.offer(in);
        }
    }

    void wake() {
        queue.wake();
    }

    /** The subscription's own thread. */
    void run() {
        for (;;) {
            Inbound in;
            try {
                in = queue.await(Long.MAX_VALUE, () -> closed || connection.closedCause() != null);
            } catch (InterruptedException e) {
                // close() of the connection interrupts stragglers; re-check why we were woken.
                in = null;
            }
            if (closed) {
                return;
            }
            if (in == null) {
                if (connection.closedCause() != null) {
                    Inbound rest;
                    while (!closed && (rest = queue.poll()) != null) {
                        deliver(rest);
                    }
                    return;
                }
                continue;
            }
            deliver(in);
        }
    }

    private void deliver(Inbound in) {
        try {
            listener.accept(in);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A listener failed on " + in.method() + "; it keeps receiving", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
        queue.wake();
    }
}
