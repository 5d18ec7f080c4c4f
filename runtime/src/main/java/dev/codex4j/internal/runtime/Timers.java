package dev.codex4j.internal.runtime;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delayed tasks (request deadlines, retry delays, the sweeper), behind an interface so that the
 * request table's tests can run time by hand. The connection's implementation is one platform
 * thread ({@code codex4j-scheduler-1}); tasks on it must be short and never block.
 */
interface Timers {
    /** A scheduled task. */
    interface Timer {
        /** Cancels it if it has not run; idempotent. */
        void cancel();
    }

    /**
     * Runs {@code task} once after {@code delayNanos}.
     *
     * @throws RejectedExecutionException when the timers are shut down
     */
    Timer schedule(Runnable task, long delayNanos);

    /** The connection's timers over a scheduled executor. */
    static Timers of(ScheduledThreadPoolExecutor executor) {
        return (task, delayNanos) -> {
            ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }
}
