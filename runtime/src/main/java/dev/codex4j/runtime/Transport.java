package dev.codex4j.runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A line-oriented, full-duplex link to an app-server. Exactly one thread reads (the dispatcher);
 * any number of threads write. New kinds of link (a Unix socket, a WebSocket) implement this and
 * nothing in the dispatcher changes.
 *
 * <pre>{@code
 * try (Transport t = StdioTransport.start(AppServerLaunch.defaults(), Duration.ofSeconds(5))) {
 *     t.writeLine("{\"id\":0,\"method\":\"initialize\",\"params\":{}}");
 *     String reply = t.readLine();
 * }
 * }</pre>
 */
public interface Transport extends AutoCloseable {

    /**
     * Blocks until the next line arrives.
     *
     * @return the line without its terminator, or {@code null} at end of stream
     * @throws IOException when reading fails (for example after {@link #close()})
     */
    @Nullable String readLine() throws IOException;

    /**
     * Writes one line and flushes it. Thread-safe: lines written concurrently never interleave.
     *
     * @param line one JSON object, without line terminators
     * @throws IOException when the peer is gone or the transport is closed
     * @throws IllegalArgumentException when the line contains a line terminator
     */
    void writeLine(String line) throws IOException;

    /** @return the child process's exit code once it has exited; empty for streams or while alive */
    OptionalInt exitCode();

    /**
     * Waits up to {@code max} for the peer to exit, so that a failure report can carry its exit
     * code and its last words on stderr.
     *
     * @param max the longest wait
     * @return the exit code if the peer exited in time
     */
    default OptionalInt awaitExit(Duration max) {
        return exitCode();
    }

    /** @return a bounded tail of the peer's stderr ({@code ""} when there is none) */
    String stderrTail();

    /** Releases the link and whatever it owns. Idempotent, bounded in time, throws nothing. */
    @Override
    void close();
}
