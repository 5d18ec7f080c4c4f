package dev.codex4j.internal.runtime;

/**
 * A registration (a listener, a handler) that ends when closed.
 *
 * <pre>{@code
 * try (Subscription s = connection.subscribeGlobal(in -> log(in.line()))) {
 *     ...
 * }
 * }</pre>
 */
public interface Subscription extends AutoCloseable {
    /** Ends the registration. Idempotent; throws nothing. */
    @Override
    void close();

    /**
     * @return how long a message may wait for the listener beyond the dispatcher's window (its
     *     latency budget; zero: woken with every read batch)
     */
    default java.time.Duration latencyBudget() {
        return java.time.Duration.ZERO;
    }

    /** @return messages dropped because the listener fell too far behind (0 for an unbounded one) */
    default long dropped() {
        return 0;
    }
}
