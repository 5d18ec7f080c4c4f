package dev.codex4j.internal.runtime;

import dev.codex4j.errors.ServerLostException;
import dev.codex4j.errors.TransportClosedException;
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
    private final boolean serverLost;

    Closure() {
        this(false);
    }

    Closure(boolean serverLost) {
        this.serverLost = serverLost;
    }

    /** @return true if this call ended the connection */
    boolean close(String reason, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause,
            boolean byClient) {
        TransportClosedException first = serverLost && !byClient
                ? new ServerLostException(reason, exitCode, stderrTail, false, cause)
                : new TransportClosedException(reason, exitCode, stderrTail, cause);
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

    /**
     * @return a fresh exception (with the caller's stack) describing why the connection ended; for a
     *     lost server, one that is not retry-safe (a turn, or a request that was written)
     */
    TransportClosedException exception() {
        return exception(false);
    }

    /**
     * @param retrySafe whether the server cannot have acted on the failed operation (it was never
     *     written, or it only reads); used only when the server was lost
     * @return a fresh exception (with the caller's stack) describing why the connection ended
     */
    TransportClosedException exception(boolean retrySafe) {
        Closed c = closed.get();
        if (c == null) {
            return new TransportClosedException("The connection is closed", null, "", null);
        }
        if (serverLost && !c.byClient) {
            return new ServerLostException(c.reason, c.exitCode, c.stderrTail, retrySafe, c.cause);
        }
        return new TransportClosedException(c.reason, c.exitCode, c.stderrTail, c.cause);
    }
}
