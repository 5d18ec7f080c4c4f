package dev.codex4j.internal.sdk;

import dev.codex4j.errors.CodexException;
import dev.codex4j.internal.runtime.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SDK layer's waits: the one translation of an interrupted wait into the unchecked exception
 * users get, and the one bounded join of the threads a close stops.
 */
public final class Waits {
    /**
     * How long a close waits, beyond the client's close timeout, for a thread it stops (the
     * supervisor, a fleet's closers and DNS refresher): their work in hand is itself bounded by the
     * close timeout, so only a thread blocked elsewhere (user code, a stuck stream) outlives it.
     */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private Waits() {}

    /**
     * @param closeTimeout a client's close timeout
     * @return how long a close waits for a thread it stops: the close timeout and {@link #CLOSE_GRACE}
     */
    public static Duration closeBound(Duration closeTimeout) {
        return closeTimeout.plus(CLOSE_GRACE);
    }

    /**
     * Waits for threads to end, all within one bound (they run in parallel), and goes on waiting
     * when interrupted: a close must not leave them running because its caller was interrupted
     * (the interrupt is kept: the caller's interrupt status is set again before this returns).
     * A thread still alive at the bound is reported, at WARNING on {@code log} with its name and
     * where it is blocked, and left running: the caller returns all the same.
     *
     * @param threads the threads to wait for (the current thread among them is skipped)
     * @param bound how long to wait for all of them
     * @param what what they are, for the report ("the fleet's closers")
     * @param log where to report
     * @return the threads that had not ended at the bound (empty when all did)
     */
    public static List<Thread> joinAll(Collection<Thread> threads, Duration bound, String what, System.Logger log) {
        Deadline deadline = Deadline.after(bound);
        boolean interrupted = false;
        List<Thread> alive = new ArrayList<>();
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            while (true) {
                try {
                    if (!t.join(Duration.ofNanos(Math.max(0, deadline.remainingNanos())))) {
                        alive.add(t);
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!alive.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "Not ended within " + bound + " (" + what + "), left running as"
                    + " close returns: " + alive.stream().map(Waits::describe).collect(Collectors.joining("; ")));
        }
        return alive;
    }

    /** @return its name, state, the frame it is in and the first frame that is not the JDK's (where it is stuck) */
    private static String describe(Thread t) {
        StackTraceElement[] at = t.getStackTrace();
        String where = at.length == 0 ? "" : " in " + at[0] + Arrays.stream(at)
                .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk.")
                        && !f.getClassName().startsWith("sun."))
                .findFirst().map(f -> ", from " + f).orElse("");
        return t.getName() + " (" + t.getState() + where + ")";
    }

    /**
     * Checks a latency budget ({@code maxDelay}) given by the user.
     *
     * @param maxDelay the budget
     * @return it
     * @throws IllegalArgumentException when negative
     */
    public static java.time.Duration maxDelay(java.time.Duration maxDelay) {
        java.util.Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay (a latency budget) must not be negative: " + maxDelay);
        }
        return maxDelay;
    }

    /**
     * @param waitingFor what the thread was waiting for
     * @param e the interrupt
     * @return the exception to throw
     */
    public static CodexException interrupted(String waitingFor, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CodexException("Interrupted while waiting for " + waitingFor, e);
    }
}
