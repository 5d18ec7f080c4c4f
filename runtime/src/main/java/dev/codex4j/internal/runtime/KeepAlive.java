package dev.codex4j.internal.runtime;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Liveness of a socket link by ping and pong. The link's reader calls {@link #heard()} whenever the
 * peer sent anything; the connection's scheduler calls {@link #check} every {@link #period()}. Once
 * the peer has been silent for the interval, a ping goes out (again every interval); once it has
 * been silent for the interval plus the timeout, the link is declared dead, so that every waiter
 * fails instead of waiting for a peer that froze or a network that dropped the link silently.
 *
 * <pre>{@code
 * KeepAlive k = new KeepAlive(Duration.ofSeconds(15), Duration.ofSeconds(10));
 * String dead = k.check(System.nanoTime(), this::sendPing, bufferedBytes > 0);
 * }</pre>
 */
final class KeepAlive {
    private final long intervalNanos;
    private final long timeoutNanos;
    /** Written by the reader (any data, a pong), read by the scheduler. */
    private volatile long lastHeard = System.nanoTime();
    /** The scheduler's: when it last sent a ping. */
    private long lastPing = System.nanoTime();

    /**
     * @param interval silence after which a ping is sent (zero: never, and never dead)
     * @param timeout how much longer the peer may stay silent after that
     */
    KeepAlive(Duration interval, Duration timeout) {
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
    }

    /** @return how often {@link #check} should run, or zero when keep-alive is off */
    Duration period() {
        if (intervalNanos <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(Duration.ofMillis(10).toNanos(), Math.min(intervalNanos, timeoutNanos) / 4));
    }

    /** The peer sent something: it is alive. Cheap; called per read. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    /**
     * @param now {@link System#nanoTime()}
     * @param ping sends a ping (must not block)
     * @param busy whether data the reader has not taken yet is waiting (then the peer is alive)
     * @return why the link is dead, or null while it is alive
     */
    @Nullable String check(long now, Runnable ping, boolean busy) {
        if (intervalNanos <= 0) {
            return null;
        }
        if (busy) {
            lastHeard = now;
            return null;
        }
        long silent = now - lastHeard;
        if (silent >= intervalNanos + timeoutNanos) {
            return "the app-server did not answer a ping within " + Duration.ofNanos(timeoutNanos).toMillis()
                    + " ms (silent for " + Duration.ofNanos(silent).toMillis() + " ms)";
        }
        if (silent >= intervalNanos && now - lastPing >= intervalNanos) {
            lastPing = now;
            ping.run();
        }
        return null;
    }
}
