package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The one bounded wait of codex4j: a point in time on an injected nanosecond clock, and the loop
 * that waits on a {@link Condition} until something is true or the time is up (a signal may be
 * missed or spurious; the loop looks again). Immutable.
 *
 * <pre>{@code
 * Deadline d = Deadline.after(Duration.ofSeconds(5));
 * lock.lock();
 * try {
 *     if (!d.await(changed, () -> state == CONNECTED)) throw new TimeoutException(...);
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 */
public final class Deadline {
    /** {@link System#nanoTime()}. */
    public static final LongSupplier SYSTEM_CLOCK = System::nanoTime;

    private final long atNanos;
    private final LongSupplier clock;

    private Deadline(long atNanos, LongSupplier clock) {
        this.atNanos = atNanos;
        this.clock = clock;
    }

    /** @return a deadline {@code timeout} from now on the system clock */
    public static Deadline after(Duration timeout) {
        return after(timeout, SYSTEM_CLOCK);
    }

    /**
     * @param timeout how long from now (saturated at about 292 years)
     * @param clock a nanosecond clock, such as {@link #SYSTEM_CLOCK}
     * @return a deadline {@code timeout} from the clock's now
     */
    public static Deadline after(Duration timeout, LongSupplier clock) {
        Objects.requireNonNull(clock, "clock");
        long now = clock.getAsLong();
        long nanos = saturatedNanos(timeout);
        long at = now + nanos;
        if (nanos > 0 && at - now < 0) {
            at = now + Long.MAX_VALUE; // overflow: as far as the clock goes
        }
        return new Deadline(at, clock);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return d.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }

    /** @return nanoseconds left (zero or negative once expired) */
    public long remainingNanos() {
        return atNanos - clock.getAsLong();
    }

    /** @return what is left, never negative */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, remainingNanos()));
    }

    /** @return whether the time is up */
    public boolean expired() {
        return remainingNanos() <= 0;
    }

    /**
     * Waits on {@code condition}, whose lock the caller holds, until {@code done} is true or the
     * time is up. {@code done} is read with the lock held, before each wait and after it.
     *
     * @param condition the condition whoever changes the state signals
     * @param done the state waited for
     * @return whether {@code done} became true in time
     * @throws InterruptedException when the thread is interrupted meanwhile
     */
    public boolean await(Condition condition, BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            long left = remainingNanos();
            if (left <= 0) {
                return false;
            }
            condition.awaitNanos(left);
        }
        return true;
    }

    /**
     * Sleeps with {@code sleeper} until the deadline, at most {@code max} at a time.
     *
     * @param max the longest single sleep, in nanoseconds
     * @param sleeper how to sleep
     * @return whether time is left after the sleep
     * @throws InterruptedException when the thread is interrupted meanwhile
     */
    public boolean sleepAtMost(long max, Backoff.Sleeper sleeper) throws InterruptedException {
        long left = remainingNanos();
        if (left > 0) {
            sleeper.sleep(Math.min(left, max));
        }
        return !expired();
    }

    @Override
    public String toString() {
        return "Deadline[" + TimeUnit.NANOSECONDS.toMillis(remainingNanos()) + " ms left]";
    }
}
