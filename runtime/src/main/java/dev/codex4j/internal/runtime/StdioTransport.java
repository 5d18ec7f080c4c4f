package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The app-server as a child process, spoken to over its stdin and stdout. Its stderr is drained
 * continuously by a platform thread ({@code codex4j-stderr-<pid>}) into a bounded tail, so a
 * chatty child never blocks on a full pipe and a failure report can say why it died.
 *
 * <p>{@link #close()} closes stdin (the app-server exits on EOF within milliseconds), waits up to
 * the close timeout, then destroys the child and every descendant it had forcibly. A process that
 * escaped the tree (a detached grandchild) but still holds the child's stdout or stderr open would
 * keep the readers blocked forever; on Linux, close finds such holders through {@code /proc} and
 * kills them too. When close returns, no process and no thread of this transport is left.
 *
 * <pre>{@code
 * AppServerLaunch launch = AppServerLaunch.defaults().withEnv("CODEX_HOME", home.toString());
 * try (Connection c = Connection.open(StdioTransport.start(launch, Duration.ofSeconds(5)),
 *         ConnectionOptions.defaults())) {
 *     JsonNode init = c.request("initialize", params).join();
 * }
 * }</pre>
 */
public final class StdioTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(StdioTransport.class.getName());
    /** How long the readers may take to see end of stream once the child is gone. */
    private static final Duration EOF_GRACE = Duration.ofMillis(200);

    private final ChildProcess child;
    private final Process process;
    private final Duration closeTimeout;
    private final InputStream stdout;
    private final OutputStream stdin;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock closeLock = new ReentrantLock();
    private final CountDownLatch stdoutEof = new CountDownLatch(1);
    private volatile boolean closed;
    /** Whether a reader is blocked in (or inside) read: only then can stdout's end be awaited. */
    private volatile boolean reading;

    private StdioTransport(ChildProcess child, Duration closeTimeout) {
        this.child = child;
        this.process = child.process();
        this.closeTimeout = closeTimeout;
        this.stdout = process.getInputStream();
        this.stdin = process.getOutputStream();
        child.onExit(this::childExited);
    }

    /**
     * Starts {@code codex app-server} as {@code launch} says: its binary, {@code -c} overrides,
     * environment merged over this process's, and working directory.
     *
     * @param launch the launch settings
     * @param closeTimeout how long {@link #close()} waits for a graceful exit before killing
     * @return the running transport
     * @throws dev.codex4j.errors.CodexCliNotFoundException when no binary is found and the download is off
     * @throws dev.codex4j.errors.CodexCliInstallException when the CLI had to be downloaded and the download failed
     * @throws IllegalArgumentException when the working directory does not exist
     * @throws TransportClosedException when the process cannot be started
     */
    public static StdioTransport start(AppServerLaunch launch, Duration closeTimeout) {
        Path dir = launch.workingDirectory();
        ChildProcess.checkDirectory(dir);
        Path binary = launch.resolveExecutable();
        return start(launch.command(binary), launch.environment(), dir, closeTimeout);
    }

    /**
     * Starts any command that speaks the app-server protocol on stdio (a fake server, a wrapper).
     *
     * @param command the command line
     * @param environment variables set over this process's environment
     * @param workingDirectory the child's working directory, or {@code null} for ours
     * @param closeTimeout how long {@link #close()} waits for a graceful exit before killing
     * @return the running transport
     * @throws IllegalArgumentException when the working directory does not exist
     * @throws TransportClosedException when the process cannot be started
     */
    public static StdioTransport start(List<String> command, Map<String, String> environment,
            @Nullable Path workingDirectory, Duration closeTimeout) {
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        ChildProcess.checkDirectory(workingDirectory);
        ProcessBuilder pb = new ProcessBuilder(List.copyOf(command));
        pb.environment().putAll(new LinkedHashMap<>(environment));
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        ChildProcess child = ChildProcess.start(pb, command.get(0)
                + (workingDirectory == null ? "" : " in " + workingDirectory), line -> { });
        LOG.log(Level.DEBUG, () -> "started app-server pid " + child.pid() + ": " + command);
        return new StdioTransport(child, closeTimeout);
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** @return the child process, for supervision and tests */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    /** The stderr drain thread, for tests that check it ends. */
    Thread stderrThread() {
        return child.stderrThread();
    }

    /**
     * The child exited: its pipes normally end with it. If stdout's end has not reached the reader
     * shortly after (a descendant that escaped the tree holds it open), those holders are killed,
     * so that the link ends with the child and not whenever the stray process does.
     */
    private void childExited() {
        if (closed) {
            return;
        }
        java.util.concurrent.CompletableFuture.delayedExecutor(EOF_GRACE.toMillis() * 2, TimeUnit.MILLISECONDS).execute(() -> {
            if (stdoutEof.getCount() > 0 && !closed && reading) {
                LOG.log(Level.DEBUG, () -> "app-server pid " + process.pid() + " exited but its output is held open");
                child.killPipeHolders();
            }
        });
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        reading = true;
        try {
            int n = stdout.read(buffer, offset, length);
            if (n < 0) {
                stdoutEof.countDown();
            }
            return n;
        } finally {
            reading = false;
        }
    }

    /** The process's stdout is a buffered stream over the pipe, whose {@code available()} asks the kernel. */
    @Override
    public boolean availableIsExact() {
        return true;
    }

    @Override
    public int available() throws IOException {
        return stdout.available();
    }

    @Override
    public void writeLine(String line) throws IOException {
        byte[] bytes = LineFraming.frame(line);
        writeLock.lock();
        try {
            if (closed) {
                throw new LinkClosedException("transport closed");
            }
            stdin.write(bytes);
            stdin.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public OptionalInt exitCode() {
        return child.exitCode();
    }

    @Override
    public OptionalInt awaitExit(Duration max) {
        return child.awaitExit(max);
    }

    @Override
    public String stderrTail() {
        return child.stderrTail();
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public String describe() {
        return "app-server pid " + process.pid();
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            child.end(closeTimeout, this::closeStdin);
            if (!awaitReaders(EOF_GRACE)) {
                // Someone outside the tree still holds the child's output open.
                child.killPipeHolders();
                awaitReaders(ChildProcess.KILL_WAIT);
            }
            if (child.stderrThread().isAlive() || stdoutEof.getCount() > 0) {
                child.closeStderr();
                ChildProcess.closeQuietly(stdout);
                awaitReaders(Duration.ofMillis(500));
            }
            LOG.log(Level.DEBUG, () -> "closed app-server pid " + process.pid() + ", exit " + exitCode());
        } finally {
            closeLock.unlock();
        }
    }

    /**
     * Whether the stderr drain has ended and stdout's reader has seen its end: both mean that no
     * process holds the child's output open any more.
     */
    private boolean awaitReaders(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            boolean stderrDone = child.awaitStderrEnd(max);
            long left = Math.max(0, deadline - System.nanoTime());
            boolean stdoutDone = stdoutEof.getCount() == 0 || !reading
                    || stdoutEof.await(left, TimeUnit.NANOSECONDS);
            return stdoutDone && stderrDone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void closeStdin() {
        // A writer blocked on a full pipe holds the lock; the kill after the grace time unblocks it instead.
        boolean locked = false;
        try {
            locked = writeLock.tryLock(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (locked) {
                ChildProcess.closeQuietly(stdin);
            }
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }
}
