package dev.codex4j.errors;

import java.time.Duration;

/**
 * A request got no reply in time. The app-server drops some requests without a reply when it is
 * overloaded or the line was malformed, so every request has a timeout.
 *
 * <pre>{@code
 * catch (RequestTimeoutException e) { System.err.println(e.method() + " timed out"); }
 * }</pre>
 */
public class RequestTimeoutException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final Duration timeout;

    /**
     * @param method the request's method
     * @param timeout how long it waited
     */
    public RequestTimeoutException(String method, Duration timeout) {
        super(method + " got no reply within " + timeout.toMillis() + " ms");
        this.method = method;
        this.timeout = timeout;
    }

    /** @return the request's method */
    public String method() {
        return method;
    }

    /** @return how long it waited */
    public Duration timeout() {
        return timeout;
    }
}
