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
}
