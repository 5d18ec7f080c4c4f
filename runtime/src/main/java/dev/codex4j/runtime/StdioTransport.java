package dev.codex4j.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.TransportClosedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The app-server as a child process, spoken to over its stdin and stdout. Its stderr is drained
 * continuously by a platform thread ({@code codex4j-stderr-<pid>}) into a bounded tail, so a
 * chatty child never blocks on a full pipe and a failure report can say why it died.
 *
 * <p>{@link #close()} closes stdin (the app-server exits on EOF within milliseconds), waits up to
 * the close timeout, then destroys the child and every descendant it had forcibly. When it
 * returns, no process and no thread of this transport is left.
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
    /** The longest wait for the child (and the stderr drain) after it was killed. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    private final Process process;
    private final Duration closeTimeout;
    private final BufferedReader stdout;
    private final OutputStream stdin;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock closeLock = new ReentrantLock();
    private final StderrTail tail = new StderrTail();
    private final Thread stderrDrain;
    private volatile boolean closed;

    private StdioTransport(Process process, Duration closeTimeout) {
        this.process = process;
        this.closeTimeout = closeTimeout;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8), 1 << 16);
        this.stdin = process.getOutputStream();
        this.stderrDrain = Thread.ofPlatform().daemon().name("codex4j-stderr-" + process.pid())
                .unstarted(this::drainStderr);
        stderrDrain.start();
    }

    /**
     * Starts {@code codex app-server} as {@code launch} says: its binary, {@code -c} overrides,
     * environment merged over this process's, and working directory.
     *
     * @param launch the launch settings
     * @param closeTimeout how long {@link #close()} waits for a graceful exit before killing
     * @return the running transport
     * @throws dev.codex4j.protocol.CodexCliNotFoundException when no binary is found
     * @throws TransportClosedException when the process cannot be started
     */
    public static StdioTransport start(AppServerLaunch launch, Duration closeTimeout) {
        Path binary = launch.resolveExecutable();
        return start(launch.command(binary), launch.environment(), launch.workingDirectory(), closeTimeout);
    }

    /**
     * Starts any command that speaks the app-server protocol on stdio (a fake server, a wrapper).
     *
     * @param command the command line
     * @param environment variables set over this process's environment
     * @param workingDirectory the child's working directory, or {@code null} for ours
     * @param closeTimeout how long {@link #close()} waits for a graceful exit before killing
     * @return the running transport
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
        ProcessBuilder pb = new ProcessBuilder(List.copyOf(command));
        pb.environment().putAll(new LinkedHashMap<>(environment));
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new TransportClosedException("Could not start " + command.get(0) + ": " + e.getMessage(),
                    null, "", e);
        }
        LOG.log(Level.DEBUG, () -> "started app-server pid " + process.pid() + ": " + command);
        return new StdioTransport(process, closeTimeout);
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
        return stderrDrain;
    }

    @Override
    public @Nullable String readLine() throws IOException {
        return stdout.readLine();
    }

    @Override
    public void writeLine(String line) throws IOException {
        byte[] bytes = LineFraming.frame(line);
        writeLock.lock();
        try {
            if (closed) {
                throw new IOException("transport closed");
            }
            stdin.write(bytes);
            stdin.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    @Override
    public OptionalInt awaitExit(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            if (process.waitFor(max.toNanos(), TimeUnit.NANOSECONDS)) {
                // The last stderr lines usually say why; give the drain a moment to read them.
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    stderrDrain.join(Duration.ofNanos(left));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exitCode();
    }

    @Override
    public String stderrTail() {
        return tail.text();
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // Snapshot before the child can exit: its orphans are no longer its descendants.
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            closeStdin();
            boolean exited = waitFor(process.toHandle(), closeTimeout);
            if (!exited) {
                tree.addAll(process.descendants().toList());
                LOG.log(Level.DEBUG, () -> "app-server pid " + process.pid() + " did not exit within "
                        + closeTimeout.toMillis() + " ms of closing stdin; killing it");
                process.destroyForcibly();
            }
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    h.destroyForcibly();
                }
            }
            waitFor(process.toHandle(), KILL_WAIT);
            for (ProcessHandle h : tree) {
                waitFor(h, Duration.ofMillis(500));
            }
            try {
                stderrDrain.join(KILL_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (stderrDrain.isAlive()) {
                // A grandchild we could not see still holds the pipe; do not leave the thread behind.
                closeQuietly(process.getErrorStream());
            }
            LOG.log(Level.DEBUG, () -> "closed app-server pid " + process.pid() + ", exit " + exitCode());
        } finally {
            closeLock.unlock();
        }
    }

    private void closeStdin() {
        // A writer blocked on a full pipe holds the lock; the kill below unblocks it instead.
        boolean locked = false;
        try {
            locked = writeLock.tryLock(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (locked) {
                closeQuietly(stdin);
            }
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    private static boolean waitFor(ProcessHandle h, Duration max) {
        if (!h.isAlive()) {
            return true;
        }
        try {
            h.onExit().get(max.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (Exception e) {
            return !h.isAlive();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.TRACE, "close failed", e);
        }
    }

    private void drainStderr() {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                tail.add(line);
                String l = line;
                LOG.log(Level.TRACE, () -> "app-server stderr: " + l);
            }
        } catch (IOException e) {
            LOG.log(Level.TRACE, "stderr drain ended", e);
        }
    }
}
