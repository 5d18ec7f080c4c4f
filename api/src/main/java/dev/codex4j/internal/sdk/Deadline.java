package dev.codex4j.internal.sdk;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A point in time that a bounded wait must not pass, on a monotonic clock ({@link System#nanoTime()}
 * unless one is injected). Every bounded wait of the SDK layer takes one, so that a wait made of
 * several steps (wait for the link, then for the reply) shares one budget.
 *
 * <p>The runtime has its own for its retries (the runtime's {@code Deadline}); this is the SDK
 * layer's, kept minimal until the two are merged into one type.
 */
public final class Deadline {
    private final LongSupplier clock;
    private final long at;

    private Deadline(LongSupplier clock, long at) {
        this.clock = clock;
        this.at = at;
    }

    /** @return a deadline {@code d} from now on {@link System#nanoTime()} */
    public static Deadline after(Duration d) {
        return after(d, System::nanoTime);
    }

    /** @return a deadline {@code d} from now on {@code clock} (nanoseconds) */
    public static Deadline after(Duration d, LongSupplier clock) {
        long now = clock.getAsLong();
        long n = d.toNanos();
        return new Deadline(clock, n >= Long.MAX_VALUE - Math.max(0, now) ? Long.MAX_VALUE : now + n);
    }

    /** @return a deadline at {@code nanoTime} (a value of {@link System#nanoTime()}) */
    public static Deadline at(long nanoTime) {
        return new Deadline(System::nanoTime, nanoTime);
    }

    /** @return nanoseconds left, 0 or less once passed */
    public long remainingNanos() {
        return at - clock.getAsLong();
    }

    /** @return what is left, at least 1 ns (for an API that refuses zero), as a Duration */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(1, remainingNanos()));
    }

    /** @return whether it has passed */
    public boolean isExpired() {
        return remainingNanos() <= 0;
    }

    /** @return the {@link System#nanoTime()} value it stands at */
    public long nanoTime() {
        return at;
    }
}
