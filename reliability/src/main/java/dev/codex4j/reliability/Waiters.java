package dev.codex4j.reliability;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Calls that wait on the SDK, each on a virtual thread of its own, with how and when each ended.
 * A campaign starts them, provokes something (a kill, a silence), then looks at the outcomes: which
 * failed, with what type, how long after the provocation, and which never ended.
 *
 * <pre>{@code
 * Waiters w = new Waiters();
 * w.start("run", () -> thread.run("q"));
 * long kill = System.nanoTime();
 * child.destroyForcibly();
 * w.awaitAll(10_000);
 * }</pre>
 */
public final class Waiters {
    /** Code that waits and may throw anything. */
    @FunctionalInterface
    public interface Wait {
        /** Runs the wait. */
        void run() throws Exception;
    }

    /**
     * How one wait ended.
     *
     * @param what its label
     * @param startNanos when it started ({@link System#nanoTime()})
     * @param endNanos when it ended
     * @param error what it threw, or null when it returned
     */
    public record Outcome(String what, long startNanos, long endNanos, @Nullable Throwable error) {
        /** @return how long after {@code t0} it ended, in nanoseconds */
        public long after(long t0) {
            return endNanos - t0;
        }
    }

    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
    private final AtomicInteger started = new AtomicInteger();

    /** Starts a wait on a virtual thread of its own. */
    public void start(String what, Wait wait) {
        started.incrementAndGet();
        threads.add(Thread.ofVirtual().name("reliability-waiter-" + what).start(() -> {
            long start = System.nanoTime();
            try {
                wait.run();
                outcomes.add(new Outcome(what, start, System.nanoTime(), null));
            } catch (Throwable e) {
                outcomes.add(new Outcome(what, start, System.nanoTime(), e));
            }
        }));
    }

    /**
     * Runs a wait that joins a {@code CompletableFuture}, throwing the cause of a
     * {@link CompletionException} instead of the wrapper, so that outcomes show the SDK's type.
     */
    public static void joined(Wait wait) throws Exception {
        try {
            wait.run();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** @return how many waits were started */
    public int started() {
        return started.get();
    }

    /** Waits until every wait has ended or the time is up. @return whether all ended */
    public boolean awaitAll(long maxMillis) {
        return Probe.await(() -> outcomes.size() >= started.get(), maxMillis);
    }

    /** @return the waits that ended so far */
    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** @return how many have not ended */
    public int pending() {
        return started.get() - outcomes.size();
    }

    /** Interrupts the waits still running (after a campaign gave up on them). */
    public void interruptPending() {
        threads.forEach(Thread::interrupt);
    }
}
