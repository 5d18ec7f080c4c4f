package dev.codex4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory pipe, usable from any threads (unlike {@code PipedInputStream}, which fails
 * once the writing thread has ended). Closing the read end makes writes fail like a broken pipe.
 */
final class BytePipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final byte[] buf;
    private int head;
    private int size;
    private boolean writeClosed;
    private boolean readClosed;

    BytePipe(int capacity) {
        this.buf = new byte[capacity];
    }

    void closeWrite() {
        lock.lock();
        try {
            writeClosed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void closeRead() {
        lock.lock();
        try {
            readClosed = true;
            size = 0;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    final InputStream source = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                while (size == 0) {
                    if (readClosed) {
                        throw new IOException("Stream closed");
                    }
                    if (writeClosed) {
                        return -1;
                    }
                    notEmpty.await();
                }
                int n = Math.min(len, size);
                int first = Math.min(n, buf.length - head);
                System.arraycopy(buf, head, b, off, first);
                System.arraycopy(buf, 0, b, off + first, n - first);
                head = (head + n) % buf.length;
                size -= n;
                notFull.signalAll();
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            closeRead();
        }
    };

    final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                while (len > 0) {
                    if (readClosed) {
                        throw new IOException("Broken pipe");
                    }
                    if (writeClosed) {
                        throw new IOException("Stream closed");
                    }
                    if (size == buf.length) {
                        notFull.await();
                        continue;
                    }
                    int tail = (head + size) % buf.length;
                    int n = Math.min(len, Math.min(buf.length - size, buf.length - tail));
                    System.arraycopy(b, off, buf, tail, n);
                    size += n;
                    off += n;
                    len -= n;
                    notEmpty.signalAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            closeWrite();
        }
    };
}
