package dev.codex4j.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A transport over a pair of streams, for a peer in the same JVM (testkit's in-process fake
 * server) or any already connected byte channel. It owns the streams: {@link #close()} closes
 * both. A reader blocked in {@link #readLine()} wakes up when the stream's close (or an
 * interrupt) unblocks it, which depends on the stream; pipes from {@code java.nio.channels.Pipe}
 * and sockets do.
 *
 * <pre>{@code
 * Connection c = Connection.open(new StreamTransport(fromServer, toServer), ConnectionOptions.defaults());
 * }</pre>
 */
public final class StreamTransport implements Transport {
    private final InputStream in;
    private final OutputStream out;
    private final BufferedReader reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    /**
     * @param fromServer what the server writes
     * @param toServer where the server reads
     */
    public StreamTransport(InputStream fromServer, OutputStream toServer) {
        this.in = Objects.requireNonNull(fromServer, "fromServer");
        this.out = Objects.requireNonNull(toServer, "toServer");
        this.reader = new BufferedReader(new InputStreamReader(in, UTF_8), 1 << 16);
    }

    @Override
    public @Nullable String readLine() throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
        return reader.readLine();
    }

    @Override
    public void writeLine(String line) throws IOException {
        byte[] bytes = LineFraming.frame(line);
        writeLock.lock();
        try {
            if (closed) {
                throw new IOException("transport closed");
            }
            out.write(bytes);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public OptionalInt exitCode() {
        return OptionalInt.empty();
    }

    @Override
    public String stderrTail() {
        return "";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The raw streams, not the reader: a reader blocked in readLine holds the reader's lock.
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing to do: the peer is gone either way
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // same
        }
    }
}
