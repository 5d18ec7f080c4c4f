package dev.codex4j.internal.runtime;

import org.jspecify.annotations.Nullable;

/**
 * Traces the connection's requests and puts each one's W3C trace context into its {@code trace}
 * member ({@code JSONRPCRequest.trace} of the protocol), so that the app-server's spans join the
 * caller's trace. The OpenTelemetry module provides one; a connection without one (the default)
 * checks for it once per request and writes no {@code trace} member.
 *
 * <p>Contract for implementations: fast, never blocking, never throwing, never calling back into the
 * connection.
 */
public interface RequestTracer {
    /**
     * The caller's thread (so that the caller's current context is the parent): a request is about
     * to be sent.
     *
     * @param method the method
     * @return the request's span, or null to trace nothing and send no {@code trace} member
     */
    @Nullable Span start(String method);

    /** One request, from {@link #start} to its end; its context is sent with every attempt. */
    interface Span {
        /** @return the W3C {@code traceparent} to send, or null to send no {@code trace} member */
        @Nullable String traceparent();

        /** @return the W3C {@code tracestate} to send, or null for none */
        @Nullable String tracestate();

        /**
         * The settling thread (as for {@link RuntimeEvents#requestEnded}): the request ended, once.
         *
         * @param error null when it got its result; else why it failed (an error reply, a
         *     timeout, the connection's end, the caller's interrupt)
         */
        void end(@Nullable Throwable error);
    }
}
