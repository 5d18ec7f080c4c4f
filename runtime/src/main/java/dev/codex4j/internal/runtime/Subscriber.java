package dev.codex4j.internal.runtime;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * A listener with a virtual thread and an MPSC queue of its own: the dispatcher enqueues without
 * waiting (and wakes it once per read batch), the subscription's thread calls the listener in
 * order. A slow listener delays only itself. When the connection closes, the listener still gets
 * what had arrived (unless the client closed it), then the thread ends; when the subscription is
 * closed, the thread ends at once.
 */
final class Subscriber extends Wakeable implements Subscription {
    private static final System.Logger LOG = System.getLogger(Subscriber.class.getName());

    private final Closure closure;
    private final Consumer<Inbound> listener;
    private final MpscParkingQueue<Inbound> queue = new MpscParkingQueue<>();
    private final Runnable onClose;
    private volatile boolean closed;

    Subscriber(Closure closure, Consumer<Inbound> listener, Runnable onClose) {
        this.closure = closure;
        this.listener = listener;
        this.onClose = onClose;
    }

    /** Dispatcher: never blocks; the wake comes with the batch. */
    void offerQuietly(Inbound in) {
        if (!closed) {
            queue.offerQuietly(in);
        }
    }

    @Override
    void unparkIfWaiting() {
        queue.unparkIfWaiting();
    }

    @Override
    boolean isWaiting() {
        return queue.isWaiting();
    }

    /** The subscription's own thread. */
    void run() {
        for (;;) {
            Inbound in;
            try {
                in = queue.await(Long.MAX_VALUE, () -> closed || closure.isClosed());
            } catch (InterruptedException e) {
                // close() of the connection interrupts stragglers; re-check why we were woken.
                in = null;
            }
            if (closed) {
                return;
            }
            if (in == null) {
                if (closure.isClosed()) {
                    Inbound rest;
                    while (!closed && !closure.byClient() && (rest = queue.poll()) != null) {
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
        signal();
    }
}
