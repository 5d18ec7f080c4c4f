package dev.codex4j;

import java.time.Duration;
import java.util.Objects;

/**
 * How a supervised {@link Codex} brings its app-server back when it is lost while the client is
 * open (the child exits or is killed, a remote link drops; never on {@link Codex#close()}): it
 * starts the child again or reconnects, after an exponential backoff with jitter from
 * {@link Builder#initialBackoff} up to {@link Builder#maxBackoff}, redoes the handshake, and goes
 * on with the same {@code Codex} and {@code CodexThread} objects. Each thread is resumed
 * ({@code thread/resume}) on its next use. At most {@link Builder#maxRestarts} attempts are made
 * within a sliding window; past that the client gives up and closes, with a
 * {@link dev.codex4j.errors.TransportClosedException} saying why.
 *
 * <p>What was in flight when the server was lost fails within about a second with
 * {@link dev.codex4j.errors.ServerLostException}, which says whether it is safe to send again.
 * A call made while the client restarts waits for it, up to the request timeout.
 *
 * <pre>{@code
 * Codex codex = Codex.builder()
 *         .supervise(Supervision.builder()
 *                 .initialBackoff(Duration.ofMillis(200))
 *                 .maxBackoff(Duration.ofSeconds(10))
 *                 .maxRestarts(10, Duration.ofMinutes(1))
 *                 .build())
 *         .build();
 * }</pre>
 */
public final class Supervision {
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxRestarts;
    private final Duration window;

    private Supervision(Builder b) {
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRestarts = b.maxRestarts;
        this.window = b.window;
    }

    /** @return the defaults: 100 ms initial backoff, 10 s at most, 10 restarts within a minute */
    public static Supervision defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the delay before the first attempt after a loss */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** @return the longest delay between attempts */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** @return the most attempts within {@link #window()} */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** @return the sliding window of {@link #maxRestarts()} */
    public Duration window() {
        return window;
    }

    @Override
    public String toString() {
        return "Supervision[backoff " + initialBackoff + ".." + maxBackoff + ", " + maxRestarts + " restarts within "
                + window + "]";
    }

    /** Builds a {@link Supervision}; every setting has a default. */
    public static final class Builder {
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private int maxRestarts = 10;
        private Duration window = Duration.ofMinutes(1);

        private Builder() {}

        /** @return this, with the delay before the first attempt after a loss (100 ms; zero allowed) */
        public Builder initialBackoff(Duration delay) {
            if (Objects.requireNonNull(delay, "delay").isNegative()) {
                throw new IllegalArgumentException("initialBackoff must not be negative: " + delay);
            }
            this.initialBackoff = delay;
            return this;
        }

        /** @return this, with the longest delay between attempts (10 s) */
        public Builder maxBackoff(Duration delay) {
            if (Objects.requireNonNull(delay, "delay").isNegative()) {
                throw new IllegalArgumentException("maxBackoff must not be negative: " + delay);
            }
            this.maxBackoff = delay;
            return this;
        }

        /**
         * @param restarts the most attempts to restart or reconnect within any {@code window} (10)
         * @param window the sliding window (1 minute)
         * @return this
         */
        public Builder maxRestarts(int restarts, Duration window) {
            if (restarts < 1) {
                throw new IllegalArgumentException("maxRestarts must be positive: " + restarts);
            }
            if (Objects.requireNonNull(window, "window").isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the window must be positive: " + window);
            }
            this.maxRestarts = restarts;
            this.window = window;
            return this;
        }

        /** @return the supervision settings */
        public Supervision build() {
            return new Supervision(this);
        }
    }
}
