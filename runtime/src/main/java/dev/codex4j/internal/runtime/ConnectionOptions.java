package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link Connection}: request timeout and overload retries; the memory bounds on
 * messages nobody consumes (held for turns nobody claimed, and unconsumed in claimed turns), in
 * bytes; the line-length limit; and how the dispatcher batches its wake-ups. Immutable; build one
 * with {@link #builder()}.
 *
 * <pre>{@code
 * ConnectionOptions options = ConnectionOptions.builder()
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .overloadRetries(3)
 *         .build();
 * }</pre>
 */
public final class ConnectionOptions {
    /** How the dispatcher's thread is made: a platform thread (the default) or a virtual thread. */
    public enum DispatcherThread {
        /** A platform daemon thread: a blocking pipe read costs no carrier compensation. */
        PLATFORM,
        /** A virtual thread. */
        VIRTUAL
    }

    private final Duration requestTimeout;
    private final int overloadRetries;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final long maxHeldBytesPerTurn;
    private final long maxHeldBytesTotal;
    private final int maxHeldTurns;
    private final Duration heldMessageTtl;
    private final long maxUnconsumedBytes;
    private final Duration unconsumedTtl;
    private final int maxLineBytes;
    private final Duration coalesceWindow;
    private final int wakeHighWaterMark;
    private final Duration relaxedWindow;
    private final Duration relaxedWindowBelowBudget;
    private final DispatcherThread dispatcherThread;
    private final boolean serverLostOnFailure;
    private final Duration slowCallbackThreshold;

    private ConnectionOptions(Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.overloadRetries = b.overloadRetries;
        this.retryInitialDelay = b.retryInitialDelay;
        this.retryMaxDelay = b.retryMaxDelay;
        this.maxHeldBytesPerTurn = b.maxHeldBytesPerTurn;
        this.maxHeldBytesTotal = b.maxHeldBytesTotal;
        this.maxHeldTurns = b.maxHeldTurns;
        this.heldMessageTtl = b.heldMessageTtl;
        this.maxUnconsumedBytes = b.maxUnconsumedBytes;
        this.unconsumedTtl = b.unconsumedTtl;
        this.maxLineBytes = b.maxLineBytes;
        this.coalesceWindow = b.coalesceWindow;
        this.wakeHighWaterMark = b.wakeHighWaterMark;
        this.relaxedWindow = b.relaxedWindow;
        this.relaxedWindowBelowBudget = b.relaxedWindowBelowBudget;
        this.dispatcherThread = b.dispatcherThread;
        this.serverLostOnFailure = b.serverLostOnFailure;
        this.slowCallbackThreshold = b.slowCallbackThreshold;
    }

    /** @return the defaults (see each accessor) */
    public static ConnectionOptions defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these options */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return how long a request waits for its reply, retries included (60 s) */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return how many times a request answered "server overloaded" is sent again (5) */
    public int overloadRetries() {
        return overloadRetries;
    }

    /** @return the delay before the first retry; it doubles with each retry (100 ms) */
    public Duration retryInitialDelay() {
        return retryInitialDelay;
    }

    /** @return the cap on the delay between retries, before jitter (5 s) */
    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /** @return the most bytes held for one turn nobody has claimed (8 MiB) */
    public long maxHeldBytesPerTurn() {
        return maxHeldBytesPerTurn;
    }

    /** @return the most bytes held for all turns nobody has claimed (64 MiB) */
    public long maxHeldBytesTotal() {
        return maxHeldBytesTotal;
    }

    /** @return the most turns held unclaimed at once, discarded ones included (10,000) */
    public int maxHeldTurns() {
        return maxHeldTurns;
    }

    /** @return how long messages of a turn nobody claimed are kept (60 s from its first message) */
    public Duration heldMessageTtl() {
        return heldMessageTtl;
    }

    /** @return the most bytes in claimed turns that no consumer reads, over all turns (256 MiB) */
    public long maxUnconsumedBytes() {
        return maxUnconsumedBytes;
    }

    /** @return how long a completed turn's events wait for a first consumer before they are discarded (10 min) */
    public Duration unconsumedTtl() {
        return unconsumedTtl;
    }

    /** @return the longest line accepted from the server, in bytes (64 MiB) */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /**
     * @return how long the dispatcher lets lines accumulate before its next read while traffic is
     *     sustained (interrupt coalescing; 1 ms, or system property {@value #COALESCE_PROPERTY}
     *     in microseconds); zero reads as soon as the previous batch is routed
     */
    public Duration coalesceWindow() {
        return coalesceWindow;
    }

    /** @return how many messages wake a {@code COMPLETION} consumer before its turn ends (1,024) */
    public int wakeHighWaterMark() {
        return wakeHighWaterMark;
    }

    /**
     * @return the coalescing window the dispatcher uses instead of {@link #coalesceWindow()} while
     *     no consumer needs it: no turn consumer or subscriber has a latency budget below
     *     {@link #relaxedWindowBelowBudget()} and no request waits for its reply (4 ms, or system
     *     property {@value #RELAXED_PROPERTY} in microseconds; at most the base window: off). The
     *     budgets absorb it (a deferred wake comes that much earlier), so the promise "budget plus
     *     the base window" holds; a message for a consumer without a budget ({@code run()}'s
     *     {@code turn/completed}, a server request) may wait this long instead of the base window.
     */
    public Duration relaxedWindow() {
        return relaxedWindow;
    }

    /** @return the smallest latency budget that lets the dispatcher use {@link #relaxedWindow()} (16 ms) */
    public Duration relaxedWindowBelowBudget() {
        return relaxedWindowBelowBudget;
    }

    /** @return the kind of thread the dispatcher runs on ({@link DispatcherThread#PLATFORM}) */
    public DispatcherThread dispatcherThread() {
        return dispatcherThread;
    }

    /**
     * @return whether losing the server (not a close by the client) fails waiters with
     *     {@link dev.codex4j.errors.ServerLostException}, which says whether a retry is safe,
     *     rather than a plain {@link dev.codex4j.errors.TransportClosedException} (false; a
     *     supervised client sets it, because it goes on with a new connection)
     */
    public boolean serverLostOnFailure() {
        return serverLostOnFailure;
    }

    /**
     * @return how long a callback the connection runs on its dispatcher or scheduler (its
     *     {@link RuntimeEvents} sink, a reservation's release action) may take before it is logged
     *     at WARNING, once per callback ({@link SlowCallbacks#DEFAULT_THRESHOLD}, 50 ms)
     */
    public Duration slowCallbackThreshold() {
        return slowCallbackThreshold;
    }

    @Override
    public String toString() {
        return "ConnectionOptions[requestTimeout=" + requestTimeout + ", overloadRetries=" + overloadRetries
                + ", retry=" + retryInitialDelay + ".." + retryMaxDelay + ", held=" + maxHeldBytesPerTurn + "/"
                + maxHeldBytesTotal + " bytes, " + maxHeldTurns + " turns, ttl " + heldMessageTtl + ", unconsumed="
                + maxUnconsumedBytes + " bytes, ttl " + unconsumedTtl + ", maxLineBytes=" + maxLineBytes
                + ", coalesce=" + coalesceWindow + ", relaxed=" + relaxedWindow + ", hwm=" + wakeHighWaterMark + ", " + dispatcherThread + (serverLostOnFailure ? ", serverLost" : "") + "]";
    }

    /** System property: the default coalescing window in microseconds (for benchmarks and operators). */
    public static final String COALESCE_PROPERTY = "codex4j.coalesceWindowMicros";
    /** System property: the default dispatcher thread kind, PLATFORM or VIRTUAL (for benchmarks). */
    public static final String DISPATCHER_PROPERTY = "codex4j.dispatcherThread";
    private static final long DEFAULT_COALESCE_MICROS = 1000;
    /** System property: the default relaxed window in microseconds (for benchmarks and operators). */
    public static final String RELAXED_PROPERTY = "codex4j.relaxedWindowMicros";
    private static final long DEFAULT_RELAXED_MICROS = 4000;

    /** Builds {@link ConnectionOptions}; every setting has a default. */
    public static final class Builder {
        private Duration requestTimeout = Duration.ofSeconds(60);
        private int overloadRetries = 5;
        private Duration retryInitialDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(5);
        private long maxHeldBytesPerTurn = 8L << 20;
        private long maxHeldBytesTotal = 64L << 20;
        private int maxHeldTurns = 10_000;
        private Duration heldMessageTtl = Duration.ofSeconds(60);
        private long maxUnconsumedBytes = 256L << 20;
        private Duration unconsumedTtl = Duration.ofMinutes(10);
        private int maxLineBytes = 64 << 20;
        private Duration coalesceWindow = Duration.ofNanos(Long.getLong(COALESCE_PROPERTY, DEFAULT_COALESCE_MICROS) * 1_000);
        private int wakeHighWaterMark = 1024;
        private Duration relaxedWindow = Duration.ofNanos(Long.getLong(RELAXED_PROPERTY, DEFAULT_RELAXED_MICROS) * 1_000);
        private Duration relaxedWindowBelowBudget = Duration.ofMillis(16);
        private DispatcherThread dispatcherThread =
                DispatcherThread.valueOf(System.getProperty(DISPATCHER_PROPERTY, DispatcherThread.PLATFORM.name()));

        private boolean serverLostOnFailure;
        private Duration slowCallbackThreshold = SlowCallbacks.DEFAULT_THRESHOLD;

        private Builder() {}

        private Builder(ConnectionOptions o) {
            requestTimeout = o.requestTimeout;
            overloadRetries = o.overloadRetries;
            retryInitialDelay = o.retryInitialDelay;
            retryMaxDelay = o.retryMaxDelay;
            maxHeldBytesPerTurn = o.maxHeldBytesPerTurn;
            maxHeldBytesTotal = o.maxHeldBytesTotal;
            maxHeldTurns = o.maxHeldTurns;
            heldMessageTtl = o.heldMessageTtl;
            maxUnconsumedBytes = o.maxUnconsumedBytes;
            unconsumedTtl = o.unconsumedTtl;
            maxLineBytes = o.maxLineBytes;
            coalesceWindow = o.coalesceWindow;
            wakeHighWaterMark = o.wakeHighWaterMark;
            relaxedWindow = o.relaxedWindow;
            relaxedWindowBelowBudget = o.relaxedWindowBelowBudget;
            dispatcherThread = o.dispatcherThread;
            serverLostOnFailure = o.serverLostOnFailure;
            slowCallbackThreshold = o.slowCallbackThreshold;
        }

        /** @return this */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        /** @return this */
        public Builder overloadRetries(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("overloadRetries must not be negative: " + value);
            }
            this.overloadRetries = value;
            return this;
        }

        /** @return this */
        public Builder retryInitialDelay(Duration value) {
            this.retryInitialDelay = positive(value, "retryInitialDelay");
            return this;
        }

        /** @return this */
        public Builder retryMaxDelay(Duration value) {
            this.retryMaxDelay = positive(value, "retryMaxDelay");
            return this;
        }

        /** @return this */
        public Builder maxHeldBytesPerTurn(long value) {
            this.maxHeldBytesPerTurn = positive(value, "maxHeldBytesPerTurn");
            return this;
        }

        /** @return this */
        public Builder maxHeldBytesTotal(long value) {
            this.maxHeldBytesTotal = positive(value, "maxHeldBytesTotal");
            return this;
        }

        /** @return this */
        public Builder maxHeldTurns(int value) {
            this.maxHeldTurns = (int) positive(value, "maxHeldTurns");
            return this;
        }

        /** @return this */
        public Builder heldMessageTtl(Duration value) {
            this.heldMessageTtl = positive(value, "heldMessageTtl");
            return this;
        }

        /** @return this */
        public Builder maxUnconsumedBytes(long value) {
            this.maxUnconsumedBytes = positive(value, "maxUnconsumedBytes");
            return this;
        }

        /** @return this */
        public Builder unconsumedTtl(Duration value) {
            this.unconsumedTtl = positive(value, "unconsumedTtl");
            return this;
        }

        /** @return this */
        public Builder maxLineBytes(int value) {
            if (value < 1024) {
                throw new IllegalArgumentException("maxLineBytes must be at least 1024: " + value);
            }
            this.maxLineBytes = value;
            return this;
        }

        /** @return this; zero turns coalescing off */
        public Builder coalesceWindow(Duration value) {
            Objects.requireNonNull(value, "coalesceWindow");
            if (value.isNegative() || value.compareTo(Duration.ofMillis(10)) > 0) {
                throw new IllegalArgumentException("coalesceWindow must be between 0 and 10 ms: " + value);
            }
            this.coalesceWindow = value;
            return this;
        }

        /** @return this */
        public Builder wakeHighWaterMark(int value) {
            this.wakeHighWaterMark = (int) positive(value, "wakeHighWaterMark");
            return this;
        }

        /** @return this (see {@link ConnectionOptions#relaxedWindow()}); at most the base window: off */
        public Builder relaxedWindow(Duration value) {
            Objects.requireNonNull(value, "relaxedWindow");
            if (value.isNegative() || value.compareTo(Duration.ofMillis(10)) > 0) {
                throw new IllegalArgumentException("relaxedWindow must be between 0 and 10 ms: " + value);
            }
            this.relaxedWindow = value;
            return this;
        }

        /** @return this (see {@link ConnectionOptions#relaxedWindowBelowBudget()}) */
        public Builder relaxedWindowBelowBudget(Duration value) {
            this.relaxedWindowBelowBudget = positive(value, "relaxedWindowBelowBudget");
            return this;
        }

        /** @return this */
        public Builder dispatcherThread(DispatcherThread value) {
            this.dispatcherThread = Objects.requireNonNull(value, "dispatcherThread");
            return this;
        }

        /** @return this (see {@link ConnectionOptions#serverLostOnFailure()}) */
        public Builder serverLostOnFailure(boolean value) {
            this.serverLostOnFailure = value;
            return this;
        }

        /** @return this (see {@link ConnectionOptions#slowCallbackThreshold()}) */
        public Builder slowCallbackThreshold(Duration value) {
            this.slowCallbackThreshold = positive(value, "slowCallbackThreshold");
            return this;
        }

        /** @return the options */
        public ConnectionOptions build() {
            return new ConnectionOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        private static long positive(long v, String name) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return v;
        }
    }
}
