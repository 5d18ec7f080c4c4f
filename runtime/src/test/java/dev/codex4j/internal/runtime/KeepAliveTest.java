package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Ping and give-up times of a socket link's keep-alive (with the real server: SocketTransportsIT). */
class KeepAliveTest {
    @Test
    void theKeepAlivePingsAfterTheIntervalAndGivesUpAfterTheTimeout() {
        KeepAlive k = new KeepAlive(Duration.ofMillis(100), Duration.ofMillis(200));
        long t0 = System.nanoTime();
        int[] pings = {0};
        k.heard();
        assertEquals(null, k.check(t0 + ms(50), () -> pings[0]++, false));
        assertEquals(0, pings[0]);
        assertEquals(null, k.check(t0 + ms(150), () -> pings[0]++, false));
        assertEquals(1, pings[0], "a ping after the interval");
        assertEquals(null, k.check(t0 + ms(200), () -> pings[0]++, false));
        assertEquals(1, pings[0], "no second ping within the interval");
        assertTrue(k.check(t0 + ms(350), () -> pings[0]++, false).contains("did not answer a ping"));
        assertEquals(null, k.check(t0 + ms(400), () -> pings[0]++, true), "data waiting for the reader is a sign of life");
    }

    private static long ms(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }
}
