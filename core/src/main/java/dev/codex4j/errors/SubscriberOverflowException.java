package dev.codex4j.errors;

/**
 * A {@link java.util.concurrent.Flow.Subscriber} of server notifications fell too far behind: the
 * server sent more notifications than it requested, and more than the publisher's buffer
 * ({@code CodexBuilder.subscriptionBuffer}, 1024 by default) holds. The publisher never drops a
 * notification silently: it ends the subscription with this error (unsubscribing), and the
 * notifications still buffered are not delivered. Request more (or {@code Long.MAX_VALUE}), handle
 * them faster, or raise the buffer.
 *
 * <pre>{@code
 * Flux.from(FlowAdapters.toPublisher(codex.publisher()))
 *     .onBackpressureBuffer(10_000)   // or request unbounded: the SDK's own buffer then never fills
 *     .subscribe(...);
 * }</pre>
 */
public class SubscriberOverflowException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    /**
     * @param what whose notifications (for example "thread thr_1")
     * @param capacity the buffer that overflowed
     */
    public SubscriberOverflowException(String what, int capacity) {
        super("a Flow subscriber of " + what + " fell more than " + capacity
                + " notifications behind its demand (CodexBuilder.subscriptionBuffer): its subscription is ended;"
                + " request more, handle them faster, or raise the buffer");
        this.capacity = capacity;
    }

    /** @return the buffer that overflowed, in notifications */
    public int capacity() {
        return capacity;
    }
}
