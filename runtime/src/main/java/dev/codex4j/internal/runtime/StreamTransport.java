package dev.codex4j.internal.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A transport over a pair of streams, for a peer in the same JVM (testkit's in-process fake
 * server) or any already connected byte channel. It owns the streams: {@link #close()} closes
 * both. A reader blocked in {@link #read} wakes up when the stream's close (or an interrupt)
 * unblocks it, which depends on the stream; testkit's pipes, {@code java.nio.channels.Pipe} and
 * sockets do.
 *
 * <pre>{@code
 * Connection c = Connection.open(new StreamTransport(fromServer, toServer), ConnectionOptions.defaults());
 * }</pre>
 */
public final class StreamTransport implements Transport {
    private final InputStream in;
    private final OutputStream out;
    private final String name;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    /**
     * @param fromServer what the server writes
     * @param toServer where the server reads
     */
    public StreamTransport(InputStream fromServer, OutputStream toServer) {
        this(fromServer, toServer, "in-process streams");
    }

    /**
     * @param fromServer what the server writes
     * @param toServer where the server reads
     * @param name what the link is, for messages
     */
    public StreamTransport(InputStream fromServer, OutputStream toServer, String name) {
        this.in = Objects.requireNonNull(fromServer, "fromServer");
        this.out = Objects.requireNonNull(toServer, "toServer");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
        return in.read(buffer, offset, length);
    }

    @Override
    public int available() throws IOException {
        return closed ? 0 : in.available();
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
    public String describe() {
        return name;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
