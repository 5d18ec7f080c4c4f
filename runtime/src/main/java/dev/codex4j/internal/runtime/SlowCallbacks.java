package dev.codex4j.internal.runtime;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Times callbacks that run on a thread everyone depends on (the dispatcher, the scheduler) and
 * logs, at WARNING and once per callback name, one that took longer than a threshold: a listener
 * that blocks there delays every turn of the connection, and this is how its owner learns which
 * one it was. It does not stop or move the callback; it only tells. Thread-safe.
 *
 * <p>The runtime watches what it calls on the dispatcher this way (the {@link RuntimeEvents}
 * sink, through {@link #watch(RuntimeEvents)}, and a reservation's release action); the SDK can
 * reuse it for its own listeners.
 *
 * <pre>{@code
 * SlowCallbacks slow = new SlowCallbacks(Duration.ofMillis(50), System.getLogger("my.Listener"));
 * slow.run("MyListener.turnCompleted", () -> listener.turnCompleted(turn));
 * long t = slow.start();
 * try { listener.requestEnded(method, nanos); } finally { slow.end("MyListener.requestEnded", t); }
 * }</pre>
 */
public final class SlowCallbacks {
    /** The default threshold: a callback on the dispatcher should take microseconds. */
    public static final Duration DEFAULT_THRESHOLD = Duration.ofMillis(50);

    private final long thresholdNanos;
    private final System.Logger log;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param threshold a callback that takes longer is logged (zero or negative: never)
     * @param log where the WARNING goes
     */
    public SlowCallbacks(Duration threshold, System.Logger log) {
        long t = threshold.toNanos();
        this.thresholdNanos = t <= 0 ? Long.MAX_VALUE : t;
        this.log = Objects.requireNonNull(log, "log");
    }

    /** @return a detector with {@link #DEFAULT_THRESHOLD} that logs to this class's logger */
    public static SlowCallbacks defaults() {
        return new SlowCallbacks(DEFAULT_THRESHOLD, System.getLogger(SlowCallbacks.class.getName()));
    }

    /** @return the time to pass to {@link #end}: now, in {@link System#nanoTime()} nanoseconds */
    public long start() {
        return System.nanoTime();
    }

    /**
     * Ends the timing of a callback; logs it once when it was slow.
     *
     * @param name what the callback is, for the log ("MyListener.requestEnded")
     * @param startNanos what {@link #start()} returned
     */
    public void end(String name, long startNanos) {
        long took = System.nanoTime() - startNanos;
        if (took > thresholdNanos && warned.add(name)) {
            log.log(Level.WARNING, () -> "The callback " + name + " took " + TimeUnit.NANOSECONDS.toMillis(took)
                    + " ms on thread " + Thread.currentThread().getName() + " (threshold "
                    + TimeUnit.NANOSECONDS.toMillis(thresholdNanos) + " ms): everything that thread does waits"
                    + " for it, for example every turn of the connection when it is the dispatcher; make it"
                    + " fast and non-blocking, or hand the work to a thread of your own (logged once per callback)");
        }
    }

    /**
     * Runs {@code callback}, timing it.
     *
     * @param name what the callback is, for the log
     * @param callback the callback
     */
    public void run(String name, Runnable callback) {
        long t = start();
        try {
            callback.run();
        } finally {
            end(name, t);
        }
    }

    /** @return whether a callback of this name was logged as slow */
    public boolean wasSlow(String name) {
        return warned.contains(name);
    }

    /**
     * @param events a sink
     * @return the sink with each of its calls timed ({@link RuntimeEvents#NONE} stays itself)
     */
    public RuntimeEvents watch(RuntimeEvents events) {
        if (events == RuntimeEvents.NONE || events instanceof Watched || events.timesItsCallbacks()) {
            return events;
        }
        return new Watched(events, this, events.getClass().getName());
    }

    /** A sink whose every call is timed. */
    private record Watched(RuntimeEvents sink, SlowCallbacks slow, String name) implements RuntimeEvents {
        @Override
        public void requestStarted(String method) {
            long t = slow.start();
            try {
                sink.requestStarted(method);
            } finally {
                slow.end(name + ".requestStarted", t);
            }
        }

        @Override
        public void requestEnded(String method, long nanos) {
            long t = slow.start();
            try {
                sink.requestEnded(method, nanos);
            } finally {
                slow.end(name + ".requestEnded", t);
            }
        }

        @Override
        public void requestFailed(String method, long nanos, Throwable error) {
            long t = slow.start();
            try {
                sink.requestFailed(method, nanos, error);
            } finally {
                slow.end(name + ".requestFailed", t);
            }
        }

        @Override
        public void requestRetried(String method, int retry, long delayNanos) {
            long t = slow.start();
            try {
                sink.requestRetried(method, retry, delayNanos);
            } finally {
                slow.end(name + ".requestRetried", t);
            }
        }

        @Override
        public void messageDropped(@Nullable String threadId, @Nullable String turnId, String method, String reason) {
            long t = slow.start();
            try {
                sink.messageDropped(threadId, turnId, method, reason);
            } finally {
                slow.end(name + ".messageDropped", t);
            }
        }

        @Override
        public void turnDiscarded(@Nullable String threadId, String turnId, String reason) {
            long t = slow.start();
            try {
                sink.turnDiscarded(threadId, turnId, reason);
            } finally {
                slow.end(name + ".turnDiscarded", t);
            }
        }
    }
}
