package dev.codex4j.reliability;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * This process's child processes: which are new since a snapshot (the app-server a client just
 * started), and signals to them ({@code SIGKILL}, {@code SIGSTOP}, {@code SIGCONT}).
 *
 * <pre>{@code
 * Set<Long> before = Children.snapshot();
 * // ... a client starts its app-server ...
 * ProcessHandle child = Children.awaitNew(before, 5_000).orElseThrow();
 * Children.kill(child);
 * }</pre>
 */
public final class Children {
    private Children() {}

    /** @return the pids of the live children now */
    public static Set<Long> snapshot() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** @return the first live child not in {@code before}, polled every millisecond up to the time given */
    public static Optional<ProcessHandle> awaitNew(Set<Long> before, long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        do {
            Optional<ProcessHandle> found = ProcessHandle.current().children()
                    .filter(h -> h.isAlive() && !before.contains(h.pid())).findFirst();
            if (found.isPresent()) {
                return found;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        } while (System.nanoTime() - deadline < 0);
        return Optional.empty();
    }

    /** Sends SIGKILL. @return {@link System#nanoTime()} just before the signal */
    public static long kill(ProcessHandle h) {
        long t = System.nanoTime();
        h.destroyForcibly();
        return t;
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}) with {@code kill(1)}. */
    public static void signal(ProcessHandle h, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(h.pid())).inheritIO().start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + h.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill(1)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
