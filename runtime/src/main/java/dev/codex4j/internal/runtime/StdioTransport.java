package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
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
    /** The longest wait for the child (and the stderr drain) after it was killed. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);
    /** How long the readers may take to see end of stream once the child is gone. */
    private static final Duration EOF_GRACE = Duration.ofMillis(200);

    private final Process process;
    private final Duration closeTimeout;
    private final InputStream stdout;
    private final OutputStream stdin;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock closeLock = new ReentrantLock();
    private final StderrTail tail = new StderrTail();
    private final Thread stderrDrain;
    private final CountDownLatch stdoutEof = new CountDownLatch(1);
    /** The kernel's names of the child's stdout and stderr pipes ({@code pipe:[inode]}), Linux only. */
    private final Set<String> pipes;
    private volatile boolean closed;
    /** Whether a reader is blocked in (or inside) read: only then can stdout's end be awaited. */
    private volatile boolean reading;

    private StdioTransport(Process process, Duration closeTimeout) {
        this.process = process;
        this.closeTimeout = closeTimeout;
        this.stdout = process.getInputStream();
        this.stdin = process.getOutputStream();
        this.pipes = pipesOf(process.pid());
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
     * @throws dev.codex4j.errors.CodexCliNotFoundException when no binary is found
     * @throws IllegalArgumentException when the working directory does not exist
     * @throws TransportClosedException when the process cannot be started
     */
    public static StdioTransport start(AppServerLaunch launch, Duration closeTimeout) {
        Path dir = launch.workingDirectory();
        checkDirectory(dir);
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
        checkDirectory(workingDirectory);
        ProcessBuilder pb = new ProcessBuilder(List.copyOf(command));
        pb.environment().putAll(new LinkedHashMap<>(environment));
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new TransportClosedException("Could not start " + command.get(0)
                    + (workingDirectory == null ? "" : " in " + workingDirectory) + ": " + e.getMessage(), null, "", e);
        }
        LOG.log(Level.DEBUG, () -> "started app-server pid " + process.pid() + ": " + command);
        return new StdioTransport(process, closeTimeout);
    }

    static void checkDirectory(@Nullable Path dir) {
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("The app-server's working directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
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
        return exitCode(process);
    }

    @Override
    public OptionalInt awaitExit(Duration max) {
        return awaitExit(process, stderrDrain, max);
    }

    static OptionalInt exitCode(Process process) {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Waits up to {@code max} for the child to exit and then for its stderr drain to read its last words. */
    static OptionalInt awaitExit(Process process, Thread stderrDrain, Duration max) {
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
        return exitCode(process);
    }

    /**
     * Kills the child unless it {@code exited} in its grace time, then every process of its tree
     * ({@code tree}: the descendants seen before it could orphan them), and waits for them.
     */
    static void killTree(Process process, List<ProcessHandle> tree, boolean exited) {
        if (!exited) {
            tree.addAll(process.descendants().toList());
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
    }

    @Override
    public String stderrTail() {
        return tail.text();
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
            // Snapshot before the child can exit: its orphans are no longer its descendants.
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            closeStdin();
            boolean exited = waitFor(process.toHandle(), closeTimeout);
            if (!exited) {
                LOG.log(Level.DEBUG, () -> "app-server pid " + process.pid() + " did not exit within "
                        + closeTimeout.toMillis() + " ms of closing stdin; killing it");
            }
            killTree(process, tree, exited);
            if (!awaitReaders(EOF_GRACE)) {
                // Someone outside the tree still holds the child's output open.
                killPipeHolders();
                awaitReaders(KILL_WAIT);
            }
            if (stderrDrain.isAlive() || stdoutEof.getCount() > 0) {
                closeQuietly(process.getErrorStream());
                closeQuietly(stdout);
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
            stderrDrain.join(max);
            long left = Math.max(0, deadline - System.nanoTime());
            boolean stdoutDone = stdoutEof.getCount() == 0 || !reading
                    || stdoutEof.await(left, TimeUnit.NANOSECONDS);
            return stdoutDone && !stderrDrain.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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

    /** Linux: the {@code pipe:[inode]} names of a process's stdout and stderr. */
    private static Set<String> pipesOf(long pid) {
        Set<String> names = new HashSet<>();
        for (String fd : List.of("1", "2")) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", fd)).toString();
                if (target.startsWith("pipe:")) {
                    names.add(target);
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // not Linux, or the child is already gone
            }
        }
        return names;
    }

    /** Linux: kills every process (not us) that holds the child's stdout or stderr pipe open. */
    private void killPipeHolders() {
        if (pipes.isEmpty()) {
            return;
        }
        long me = ProcessHandle.current().pid();
        List<ProcessHandle> holders = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.toList()) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == me) {
                    continue;
                }
                if (holdsAny(proc.resolve("fd"))) {
                    ProcessHandle.of(Long.parseLong(name)).ifPresent(holders::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not look for processes holding the app-server's pipes", e);
            return;
        }
        for (ProcessHandle h : holders) {
            LOG.log(Level.DEBUG, () -> "killing pid " + h.pid() + ", which holds app-server pid " + process.pid()
                    + "'s output open after it exited");
            h.destroyForcibly();
        }
        for (ProcessHandle h : holders) {
            waitFor(h, Duration.ofMillis(500));
        }
    }

    private boolean holdsAny(Path fdDir) {
        try (Stream<Path> fds = Files.list(fdDir)) {
            for (Path fd : fds.toList()) {
                try {
                    if (pipes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not ours to read, or gone
        }
        return false;
    }

    static boolean waitFor(ProcessHandle h, Duration max) {
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

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.TRACE, "close failed", e);
        }
    }

    private void drainStderr() {
        try (InputStream err = process.getErrorStream()) {
            tail.drain(err, line -> LOG.log(Level.TRACE, () -> "app-server stderr: " + line));
        } catch (IOException e) {
            LOG.log(Level.TRACE, "stderr drain ended", e);
        }
    }
}
