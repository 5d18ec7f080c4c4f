package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.TransportClosedException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Whether, why and by whom a connection ended: set once (the first {@link #close} wins), read by
 * everyone. The owner is whichever thread wins that one compare-and-set: the dispatcher when the
 * peer went away, the client's thread in {@code Connection.close()}.
 */
final class Closure {
    /** Why the connection ended; {@code first} is what closedCause() reports. */
    private record Closed(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause,
            boolean byClient, TransportClosedException first) {}

    private final AtomicReference<@Nullable Closed> closed = new AtomicReference<>();

    /** @return true if this call ended the connection */
    boolean close(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause,
            boolean byClient) {
        TransportClosedException first = new TransportClosedException(reason, exitCode, stderrTail, cause);
        return closed.compareAndSet(null, new Closed(reason, exitCode, stderrTail, cause, byClient, first));
    }

    boolean isClosed() {
        return closed.get() != null;
    }

    /** Whether the client ended it: then consumers get nothing more, not even what had arrived. */
    boolean byClient() {
        Closed c = closed.get();
        return c != null && c.byClient;
    }

    @Nullable TransportClosedException cause() {
        Closed c = closed.get();
        return c == null ? null : c.first;
    }

    /** @return a fresh exception (with the caller's stack) describing why the connection ended */
    TransportClosedException exception() {
        Closed c = closed.get();
        if (c == null) {
            return new TransportClosedException("The connection is closed", null, "", null);
        }
        return new TransportClosedException(c.reason, c.exitCode, c.stderrTail, c.cause);
    }
}
