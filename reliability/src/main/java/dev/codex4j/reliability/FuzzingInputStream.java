package dev.codex4j.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's output with bad lines mixed in: wraps the stream a client reads from a real (or fake)
 * app-server and, at line boundaries only, injects chunks of {@link FuzzLines} until a given count,
 * then passes the server's bytes through untouched. The server's own lines are never split or
 * altered, so whatever goes wrong with them is the client's doing. Read by one thread (the
 * client's reader).
 *
 * <pre>{@code
 * FuzzingInputStream in = new FuzzingInputStream(fake.clientInput(), fuzz, 1_000_000, new Random(1));
 * Codex codex = Codex.builder().streams(in, fake.clientOutput()).build();
 * in.arm();
 * }</pre>
 */
public final class FuzzingInputStream extends InputStream {
    private final InputStream server;
    private final FuzzLines fuzz;
    private final long total;
    private final Random random;
    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong serverBytes = new AtomicLong();
    private byte[] pending = new byte[0];
    private int pendingPos;
    private boolean atLineStart = true;
    private volatile boolean finished;
    private volatile boolean armed;

    /**
     * @param server what the server writes
     * @param fuzz the bad lines
     * @param total how many bad lines to inject
     * @param random decides when to inject (when the server has written nothing, always)
     */
    public FuzzingInputStream(InputStream server, FuzzLines fuzz, long total, Random random) {
        this.server = server;
        this.fuzz = fuzz;
        this.total = total;
        this.random = random;
    }

    /**
     * Starts injecting (nothing is injected before, so that a handshake and setup can run clean);
     * the first bad lines come after the server's next line.
     */
    public void arm() {
        armed = true;
    }

    /** @return bad lines injected so far */
    public long injected() {
        return injected.get();
    }

    /** @return whether every bad line has been handed to the reader */
    public boolean done() {
        return finished || total == 0;
    }

    /** @return bytes of the server's own passed through */
    public long serverBytes() {
        return serverBytes.get();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pendingPos < pending.length) {
            return fromPending(b, off, len);
        }
        if (armed && atLineStart && injected.get() < total && (server.available() == 0 || random.nextInt(4) != 0)) {
            refill();
            return fromPending(b, off, len);
        }
        int n = server.read(b, off, len);
        if (n > 0) {
            atLineStart = b[off + n - 1] == '\n';
            serverBytes.addAndGet(n);
        }
        return n;
    }

    private void refill() {
        int lines = (int) Math.min(1 + random.nextInt(64), total - injected.get());
        java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream(lines * 64);
        for (int i = 0; i < lines; i++) {
            chunk.writeBytes(fuzz.next());
        }
        pending = chunk.toByteArray();
        pendingPos = 0;
        injected.addAndGet(lines);
    }

    private int fromPending(byte[] b, int off, int len) {
        int n = Math.min(len, pending.length - pendingPos);
        System.arraycopy(pending, pendingPos, b, off, n);
        pendingPos += n;
        if (pendingPos == pending.length) {
            pending = new byte[0];
            pendingPos = 0;
            finished = injected.get() >= total;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return (pending.length - pendingPos) + server.available();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
