package dev.codex4j.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory stream that, like a live server's stdout, does not end after its bytes: a read at
 * the end waits until {@link #close()}. So the dispatcher of a benchmarked connection sees a
 * connection that stays open until the benchmark closes it, not an early end of stream (which
 * would also race {@code Connection.open}: see docs/PERFORMANCE.md, "Findings").
 *
 * <pre>{@code
 * new StreamTransport(new HeldOpenInputStream(bytes), OutputStream.nullOutputStream())
 * }</pre>
 */
public final class HeldOpenInputStream extends InputStream {
    private final ByteArrayInputStream bytes;
    private final CountDownLatch closed = new CountDownLatch(1);

    /** @param bytes what the stream yields before it waits for close */
    public HeldOpenInputStream(byte[] bytes) {
        this.bytes = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
        int b = bytes.read();
        return b >= 0 ? b : awaitClose();
    }

    @Override
    public int read(byte[] b, int off, int len) {
        int n = bytes.read(b, off, len);
        return n > 0 || len == 0 ? n : awaitClose();
    }

    private int awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
