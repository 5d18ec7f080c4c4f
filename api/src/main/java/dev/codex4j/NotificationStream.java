package dev.codex4j;

import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.methods.ServerNotification;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Server notifications to pull, for a consumer that prefers a loop to a callback
 * ({@link CodexThread#events()}, {@link Codex#events()}). Backed by a {@link Subscription} whose
 * listener hands each notification over, waiting while this stream holds
 * {@link CodexBuilder#subscriptionBuffer(int)} unread ones; past that, the subscription's bound
 * applies (the oldest waiting notifications are dropped, and {@link #dropped()} counts them).
 * One consumer at a time; close it to stop listening.
 *
 * <pre>{@code
 * try (NotificationStream events = codex.events()) {
 *     Optional<ServerNotification> n = events.poll(Duration.ofSeconds(5));
 *     n.ifPresent(x -> System.out.println(x.method()));
 * }
 * }</pre>
 */
public final class NotificationStream implements AutoCloseable {
    private final BlockingQueue<ServerNotification> queue;
    private final Subscription subscription;
    private volatile boolean closed;

    /**
     * @param open whether the client is open: a hand-over waiting for room gives up when it is not,
     *     so that closing the client never waits for an unread stream
     */
    NotificationStream(int capacity, BooleanSupplier open,
            Function<Consumer<ServerNotification>, Subscription> subscribe) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.subscription = subscribe.apply(n -> {
            try {
                while (!closed && open.getAsBoolean()) {
                    if (queue.offer(n, 20, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the client is closing
            }
        });
    }

    /**
     * Waits for the next notification.
     *
     * @param timeout the longest wait
     * @return the next notification, or empty when none came in time
     * @throws dev.codex4j.errors.CodexException when the calling thread is interrupted
     */
    public Optional<ServerNotification> poll(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return Optional.ofNullable(queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            throw Waits.interrupted("a notification", e);
        }
    }

    /** @return the next notification if one is there, without waiting */
    public Optional<ServerNotification> poll() {
        return Optional.ofNullable(queue.poll());
    }

    /** @return the latency budget of the subscription behind this stream (see {@link Subscription#maxDelay()}) */
    public Duration maxDelay() {
        return subscription.maxDelay();
    }

    /** @return notifications dropped so far because this stream was not read fast enough */
    public long dropped() {
        return subscription.dropped();
    }

    /** Stops listening; notifications already here can still be polled. Idempotent; throws nothing. */
    @Override
    public void close() {
        closed = true;
        subscription.close();
    }
}
