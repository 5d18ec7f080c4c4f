package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    /** A random source whose every draw is the top of the range: delays are the full exponential ones. */
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
    /** Every draw is 0: delays are half the exponential ones. */
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

    private long now;

    private RestartPolicy policy(RandomGenerator random, int max, Duration window) {
        return new RestartPolicy(Duration.ofMillis(100), Duration.ofMillis(1000), max, window, random, () -> now);
    }

    @Test
    void delaysDoubleUpToTheCapWithEqualJitter() {
        RestartPolicy hi = policy(MAX, 100, Duration.ofMinutes(1));
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (long ms : expected) {
            assertEquals(Duration.ofMillis(ms).toNanos(), hi.nextDelayNanos());
        }
        RestartPolicy lo = policy(MIN, 100, Duration.ofMinutes(1));
        assertEquals(Duration.ofMillis(50).toNanos(), lo.nextDelayNanos(), "half fixed, half random");
        assertEquals(Duration.ofMillis(100).toNanos(), lo.nextDelayNanos());
    }

    @Test
    void aConnectionStartsTheBackoffOver() {
        RestartPolicy p = policy(MAX, 100, Duration.ofMinutes(1));
        p.nextDelayNanos();
        p.nextDelayNanos();
        p.connected();
        assertEquals(Duration.ofMillis(100).toNanos(), p.nextDelayNanos());
    }

    @Test
    void givesUpAfterMaxAttemptsWithinTheWindowAndTheWindowSlides() {
        RestartPolicy p = policy(MAX, 3, Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            p.connected(); // a server that dies at once after each start still counts
            assertEquals(Duration.ofMillis(100).toNanos(), p.nextDelayNanos());
        }
        assertEquals(-1, p.nextDelayNanos());
        now += Duration.ofSeconds(11).toNanos();
        assertEquals(Duration.ofMillis(200).toNanos(), p.nextDelayNanos(), "the window slid past the old attempts");
    }

    @Test
    void describesItsLimit() {
        assertEquals("3 restarts within PT10S", policy(MIN, 3, Duration.ofSeconds(10)).describeLimit());
    }
}
