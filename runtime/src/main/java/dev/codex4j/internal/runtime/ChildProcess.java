package dev.codex4j.internal.runtime;

import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * An app-server child and its process tree, for every transport that owns one (stdio, and a child
 * listening on a socket): it starts the child, drains its stderr into a bounded tail on a platform
 * thread ({@code codex4j-stderr-<pid>}), tells the transport when the child exits
 * ({@link #onExit}), gives its exit code, and ends the child and every descendant it had.
 *
 * <p>The stderr drain is the only writer of the tail; everyone else reads it.
 *
 * <pre>{@code
 * ChildProcess child = ChildProcess.start(new ProcessBuilder(command), command.get(0), line -> { });
 * child.onExit(() -> link.breakLink("the app-server exited"));
 * ...
 * child.end(Duration.ofSeconds(5), child::terminate);
 * }</pre>
 */
final class ChildProcess {
    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
    /** The longest wait for the child (and the stderr drain) after it was killed. */
    static final Duration KILL_WAIT = Duration.ofSeconds(2);
    /** How long an exited child's stderr may take to deliver its last lines. */
    private static final Duration STDERR_LAST_WORDS = Duration.ofMillis(200);

    private final Process process;
    private final StderrTail tail = new StderrTail();
    private final Thread stderrDrain;
    /** The kernel's names of the child's stdout and stderr pipes ({@code pipe:[inode]}), Linux only. */
    private final Set<String> pipes;

    private ChildProcess(Process process, Consumer<String> stderrLines, Runnable stderrEnded) {
        this.process = process;
        this.pipes = pipesOf(process.pid());
        this.stderrDrain = Thread.ofPlatform().daemon().name("codex4j-stderr-" + process.pid())
                .unstarted(() -> {
                    try {
                        drain(stderrLines);
                    } finally {
                        stderrEnded.run();
                    }
                });
        stderrDrain.start();
    }

    /**
     * Starts the child and its stderr drain.
     *
     * @param pb what to start
     * @param what the command's name, for the error
     * @param stderrLines each line of stderr, on the drain thread (must not block)
     * @return the running child
     * @throws TransportClosedException when it cannot be started
     */
    static ChildProcess start(ProcessBuilder pb, String what, Consumer<String> stderrLines) {
        return start(pb, what, stderrLines, () -> { });
    }

    /** As {@link #start(ProcessBuilder, String, Consumer)}; {@code stderrEnded} runs on the drain once stderr ended. */
    static ChildProcess start(ProcessBuilder pb, String what, Consumer<String> stderrLines, Runnable stderrEnded) {
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new TransportClosedException("Could not start " + what + ": " + e.getMessage(), null, "", e);
        }
        return new ChildProcess(process, stderrLines, stderrEnded);
    }

    /** @throws IllegalArgumentException when {@code dir} is given and is not a directory */
    static void checkDirectory(@Nullable Path dir) {
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("The app-server's working directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    Thread stderrThread() {
        return stderrDrain;
    }

    String stderrTail() {
        return tail.text();
    }

    /** Runs {@code action} once the child has exited (on a JDK thread; it must not block long). */
    void onExit(Runnable action) {
        process.onExit().thenRun(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "An exit action of app-server pid " + process.pid() + " failed", e);
            }
        });
    }

    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Waits up to {@code max} for the child to exit and then for the stderr drain to read its last words. */
    OptionalInt awaitExit(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            if (process.waitFor(max.toNanos(), TimeUnit.NANOSECONDS)) {
                // A descendant that outlived the child may hold stderr open: its end is not waited for long.
                long left = Math.min(deadline - System.nanoTime(), STDERR_LAST_WORDS.toNanos());
                if (left > 0) {
                    stderrDrain.join(Duration.ofNanos(left));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exitCode();
    }

    /**
     * Ends the child: snapshots its tree (its orphans are no longer its descendants once it exits),
     * asks it to stop ({@code ask}: close stdin, or SIGTERM), waits up to {@code grace}, then kills
     * it and every descendant it had, and waits for them. Bounded.
     *
     * @return whether the child exited within the grace time by itself
     */
    boolean end(Duration grace, Runnable ask) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        ask.run();
        boolean exited = waitFor(process.toHandle(), grace);
        if (!exited) {
            LOG.log(Level.DEBUG, () -> "app-server pid " + process.pid() + " did not exit within "
                    + grace.toMillis() + " ms; killing it");
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
        return exited;
    }

    /** SIGTERM to the child (the listening app-server obeys it in about 0.1 s). */
    void terminate() {
        process.destroy();
    }

    /** Waits up to {@code max} for the stderr drain to see the end of stderr. */
    boolean awaitStderrEnd(Duration max) {
        try {
            stderrDrain.join(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !stderrDrain.isAlive();
    }

    /** Ends a stderr drain that a stray descendant keeps reading by closing the pipe. */
    void closeStderr() {
        closeQuietly(process.getErrorStream());
    }

    /** Linux: kills every process (not us) that holds the child's stdout or stderr pipe open. */
    void killPipeHolders() {
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

    static void closeQuietly(@Nullable AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.TRACE, "close failed", e);
        }
    }

    private void drain(Consumer<String> lines) {
        try (InputStream err = process.getErrorStream()) {
            tail.drain(err, line -> {
                LOG.log(Level.TRACE, () -> "app-server stderr: " + line);
                lines.accept(line);
            });
        } catch (IOException e) {
            LOG.log(Level.TRACE, "stderr drain ended", e);
        }
    }
}
