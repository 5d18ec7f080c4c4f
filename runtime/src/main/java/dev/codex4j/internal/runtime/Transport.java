package dev.codex4j.internal.runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * A full-duplex byte link to an app-server that carries JSON lines: one JSON-RPC message per line
 * ({@code \n}) in both directions. Exactly one thread reads (the connection's dispatcher, which
 * frames lines itself); any number of threads write. A link that carries messages in frames (a
 * WebSocket) presents them to {@link #read} as lines.
 *
 * <p>Reading is in bytes, not lines, so that the dispatcher takes everything the link holds in one
 * call and pays one wake-up per batch of lines, not per line.
 *
 * <pre>{@code
 * try (Transport t = StdioTransport.start(AppServerLaunch.defaults(), Duration.ofSeconds(5))) {
 *     t.writeLine("{\"id\":0,\"method\":\"initialize\",\"params\":{}}");
 *     byte[] buf = new byte[65536];
 *     int n = t.read(buf, 0, buf.length);
 * }
 * }</pre>
 */
public interface Transport extends AutoCloseable {

    /**
     * Reads what the peer wrote, blocking until at least one byte is there.
     *
     * @param buffer where to put the bytes
     * @param offset where in {@code buffer}
     * @param length the most bytes to read ({@code > 0})
     * @return how many bytes were read, or {@code -1} at the end of the stream
     * @throws IOException when reading fails (for example after {@link #close()})
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /**
     * @return how many bytes {@link #read} can return without blocking (0 when none or unknown)
     * @throws IOException when the link is broken
     */
    int available() throws IOException;

    /**
     * @return whether {@link #available()} counts what the link holds, not only what this side has
     *     buffered (false, the default): the dispatcher then knows when a read would block, and
     *     holds deferred wake-ups over a quiet link instead of paying them early (see
     *     {@code Dispatcher}). A child's stdout pipe counts exactly ({@code FIONREAD}).
     */
    default boolean availableIsExact() {
        return false;
    }

    /**
     * Writes one line and flushes it. Thread-safe: lines written concurrently never interleave.
     *
     * @param line one JSON object, without line terminators
     * @throws IOException when the peer is gone or the transport is closed
     * @throws IllegalArgumentException when the line contains a line terminator
     */
    void writeLine(String line) throws IOException;

    /** @return the child process's exit code once it has exited; empty for other links (the default) or while alive */
    default OptionalInt exitCode() {
        return OptionalInt.empty();
    }

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

    /** @return a bounded tail of the peer's stderr ({@code ""} when there is none, the default) */
    default String stderrTail() {
        return "";
    }

    /**
     * @return whether the peer shares this machine's file system (a child process), so that a
     *     working directory can be checked before it is sent
     */
    default boolean isLocal() {
        return false;
    }

    /**
     * @return how often the connection's scheduler should call {@link #heartbeat()}; zero (the
     *     default) for links whose end the reader always sees, like a child's pipes
     */
    default Duration heartbeatPeriod() {
        return Duration.ZERO;
    }

    /**
     * Checks that the peer is alive, on the connection's scheduler: sends a ping when it has been
     * silent, and breaks the link (so that {@link #read} fails and every waiter with it) when it
     * stayed silent too long. Must not block.
     */
    default void heartbeat() {}

    /** @return what the link is, for messages ({@code "app-server pid 4242"}, {@code "ws://host:port"}) */
    String describe();

    /**
     * Releases the link and whatever it owns; a reader blocked in {@link #read} returns or throws.
     * Idempotent, bounded in time, throws nothing.
     */
    @Override
    void close();
}
