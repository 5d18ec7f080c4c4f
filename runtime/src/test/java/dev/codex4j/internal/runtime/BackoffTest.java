package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    /** Every draw is the top of the range: jittered delays are the full exponential ones. */
    private static final RandomGenerator MAX = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };
    /** Every draw is 0: jittered delays are half the exponential ones. */
    private static final RandomGenerator MIN = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    };

    private static long ms(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    @Test
    void delaysDoubleUpToTheCapWithEqualJitter() {
        Backoff hi = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), true, MAX, Backoff.Sleeper.SYSTEM);
        Backoff lo = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), true, MIN, Backoff.Sleeper.SYSTEM);
        long[] full = {100, 200, 400, 800, 1000, 1000};
        for (int attempt = 1; attempt <= full.length; attempt++) {
            assertEquals(ms(full[attempt - 1]), hi.delayNanos(attempt));
            assertEquals(ms(full[attempt - 1]) / 2, lo.delayNanos(attempt), "half fixed, half random");
        }
    }

    @Test
    void withoutJitterTheDelaysAreExactAndTheSleeperIsUsed() throws InterruptedException {
        List<Long> slept = new ArrayList<>();
        Backoff b = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(500), slept::add);
        for (int attempt = 1; attempt <= 8; attempt++) {
            b.sleep(attempt);
        }
        assertEquals(List.of(ms(10), ms(20), ms(40), ms(80), ms(160), ms(320), ms(500), ms(500)), slept);
    }

    @Test
    void aLongBackoffNeverOverflowsPastItsCap() {
        Backoff b = new Backoff(Duration.ofMinutes(10), Duration.ofHours(1), false, MAX, Backoff.Sleeper.SYSTEM);
        for (int attempt = 1; attempt < 100; attempt++) {
            long d = b.delayNanos(attempt);
            assertTrue(d > 0 && d <= Duration.ofHours(1).toNanos(), attempt + ": " + d);
        }
        assertEquals(Duration.ofHours(1).toNanos(), b.delayNanos(64));
    }

    @Test
    void aDeadlineCountsDownOnItsClock() {
        long[] now = {1_000};
        Deadline d = Deadline.after(Duration.ofSeconds(2), () -> now[0]);
        assertEquals(Duration.ofSeconds(2), d.remaining());
        now[0] += Duration.ofSeconds(2).toNanos() - 1;
        assertFalse(d.expired());
        now[0] += 1;
        assertTrue(d.expired());
        assertEquals(Duration.ZERO, d.remaining());
        assertFalse(Deadline.after(ChronoUnitMax.FOREVER, () -> Long.MAX_VALUE - 5).expired(), "saturates, no overflow");
    }

    @Test
    void awaitReturnsWhenTheStateIsReachedOrTheTimeIsUp() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        Condition changed = lock.newCondition();
        lock.lock();
        try {
            assertTrue(Deadline.after(Duration.ofSeconds(5)).await(changed, () -> true));
            assertFalse(Deadline.after(Duration.ofMillis(20)).await(changed, () -> false));
        } finally {
            lock.unlock();
        }
    }

    /** A duration too long for nanoseconds. */
    private static final class ChronoUnitMax {
        static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
    }
}
