package dev.codex4j.internal.runtime;

import java.io.IOException;

/**
 * A write that found the link already closed or broken, so that not one byte of its line left:
 * the peer cannot have seen it, and a request that failed so is safe to send again.
 */
final class LinkClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    LinkClosedException(String message) {
        super(message);
    }

    LinkClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
