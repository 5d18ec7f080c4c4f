package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.SubscriberOverflowException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.sdk.FlowEmitter;
import dev.codex4j.protocol.methods.ServerNotification;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Server notifications as a {@link Flow.Publisher} ({@link Codex#publisher()}: those that name no
 * thread; {@link CodexThread#publisher()}: a thread's, with its turns'). Each subscriber gets a
 * {@link Subscription} of its own (multicast: any number of subscribers, each from the moment it
 * subscribes); the publisher never completes while its connection is open.
 *
 * <ul>
 *   <li><b>Backpressure, bounded, no silent drop.</b> Notifications the subscriber has not yet
 *       requested wait in a buffer of {@link CodexBuilder#subscriptionBuffer(int)} (1024 by
 *       default). A subscriber that falls further behind gets {@code onError} with a
 *       {@link SubscriberOverflowException} and is unsubscribed; the notifications still buffered
 *       are not delivered. A subscriber that requests {@code Long.MAX_VALUE} (Reactor's default)
 *       only overflows when its {@code onNext} is slower than the server for a whole buffer.
 *   <li><b>Cancelling unsubscribes</b> (the {@link Subscription} is closed); nothing more is
 *       signalled.
 *   <li><b>The end.</b> When the connection closes (the client closed; under supervision, the
 *       connection replaced by a restart: subscribe again) the subscriber gets {@code onComplete},
 *       without the notifications it had not requested by then. A {@code request(n)} with
 *       {@code n <= 0} gives {@code onError(IllegalArgumentException)} (rule 3.9).
 * </ul>
 *
 * <p><b>Threads.</b> Every signal comes from one virtual thread of the subscription's own, owned by
 * the connection (closing the client ends it): never the dispatcher nor the caller of
 * {@link #subscribe}. {@code request} and {@code cancel} may be called from any thread.
 *
 * <pre>{@code
 * Flux<ServerNotification> n = JdkFlowAdapter.flowPublisherToFlux(thread.publisher());
 * n.ofType(ServerNotification.ThreadStatusChanged.class).subscribe(c -> log(c.params().status()));
 * }</pre>
 */
public final class NotificationPublisher implements Flow.Publisher<ServerNotification> {
    private final String what;
    private final int capacity;
    private final Supplier<Connection> connection;
    private final Function<Consumer<ServerNotification>, Subscription> subscribe;

    NotificationPublisher(String what, int capacity, Supplier<Connection> connection,
            Function<Consumer<ServerNotification>, Subscription> subscribe) {
        this.what = what;
        this.capacity = capacity;
        this.connection = connection;
        this.subscribe = subscribe;
    }

    /**
     * Subscribes: a {@link Subscription} is opened at once (notifications from now on are
     * buffered for this subscriber), then {@code onSubscribe} comes on the subscription's thread.
     *
     * @param subscriber the subscriber
     * @throws NullPointerException when {@code subscriber} is null (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super ServerNotification> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Buffer buffer = new Buffer(what, capacity);
        FlowEmitter<ServerNotification> emitter = new FlowEmitter<>(subscriber, buffer);
        Connection c;
        try {
            c = connection.get();
            buffer.subscription = subscribe.apply(buffer::offer);
            buffer.emitter = emitter;
            c.startThread("codex4j-flow-" + what.replace(' ', '-'), emitter);
        } catch (RuntimeException e) {
            Subscription s = buffer.subscription;
            if (s != null) {
                s.close();
            }
            CodexException error = e instanceof CodexException x ? x
                    : new TransportClosedException("the client is closed", null, "", e);
            Thread.ofVirtual().name("codex4j-flow-" + what.replace(' ', '-')).start(() -> emitter.reject(error));
        }
    }

    /** One subscriber's buffer: filled by its Subscription's listener, drained by its emitter. */
    private static final class Buffer implements FlowEmitter.Source<ServerNotification> {
        private final String what;
        private final int capacity;
        private final BlockingQueue<ServerNotification> queue;
        volatile @Nullable Subscription subscription;
        volatile @Nullable FlowEmitter<ServerNotification> emitter;
        private volatile boolean overflowed;
        private volatile boolean ended;

        Buffer(String what, int capacity) {
            this.what = what;
            this.capacity = capacity;
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        /** The Subscription's listener (its own thread): never blocks. */
        void offer(ServerNotification n) {
            if (overflowed || ended) {
                return;
            }
            Subscription s = subscription;
            // Full here, or the Subscription itself dropped some (a burst it took faster than this listener ran).
            if (!queue.offer(n) || (s != null && s.dropped() > 0)) {
                overflowed = true;
                FlowEmitter<ServerNotification> e = emitter;
                if (e != null) {
                    e.wake();
                }
            }
        }

        @Override
        public @Nullable RuntimeException failure() {
            Subscription s = subscription;
            if (overflowed || (s != null && s.dropped() > 0)) {
                return new SubscriberOverflowException(what, capacity);
            }
            return null;
        }

        @Override
        public @Nullable ServerNotification next() {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Not a cancel (the emitter checks that first): the connection is closing.
                ended = true;
                if (overflowed) {
                    throw new SubscriberOverflowException(what, capacity);
                }
                return null;
            }
        }

        @Override
        public boolean atEnd() {
            return ended;
        }

        @Override
        public boolean completesOnInterrupt() {
            return true;
        }

        @Override
        public void cancelled() {
            ended = true;
            close();
        }

        @Override
        public void close() {
            ended = true;
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
            queue.clear();
        }
    }
}
