package dev.codex4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short form of every campaign, as CI runs it ({@code mvn verify}): each must end without a
 * failure, that is with every count that must be zero at zero (lost, duplicated or reordered
 * deltas, damaged turns, hung calls, untyped errors, leaked threads, processes and descriptors,
 * dispatcher deaths, budgets passed). Latency targets are printed, never asserted: CI machines are
 * shared and noisy. {@code scripts/reliability --full} runs the full forms and prints the figures
 * of docs/RELIABILITY.md.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShortFormIT {

    private static Report clean(Report r) {
        r.print(System.out);
        assertEquals(List.of(), r.failures(), r.campaign() + " failed: " + r);
        return r;
    }

    private static long count(Report r, String figure) {
        String v = r.figures().get(figure);
        assertTrue(v != null, r.campaign() + " has no figure '" + figure + "': " + r.figures().keySet());
        return Long.parseLong(v.replace(",", "").split(" ")[0]);
    }

    @Test
    void killsFailEveryWaiterWithTransportClosedAndLeaveNothing() {
        Report r = clean(KillCampaign.run(Size.SHORT));
        assertTrue(count(r, "fake child: waiters at the kill") > 0);
        assertEquals(count(r, "fake child: waiters at the kill"), count(r, "fake child: failed with TransportClosedException"));
        assertEquals(count(r, "real CLI: waiters at the kill"), count(r, "real CLI: failed with TransportClosedException"));
    }

    @Test
    void supervisedKillsOverWebSocketAndUnixSocketFailEveryWaiterWithServerLost() {
        Report r = clean(SocketKillCampaign.run(Size.SHORT));
        assertTrue(count(r, "ws: kills") > 0 && count(r, "unix: kills") > 0);
    }

    @Test
    void hostilePeersNeitherExhaustTheHeapNorLearnASecretNorBreakTheTypes() {
        clean(HostilePeerCampaign.run(Size.SHORT));
    }

    @Test
    void openCloseCyclesLeaveNoProcessThreadOrDescriptor() {
        clean(OpenCloseCampaign.run(Size.SHORT));
    }

    @Test
    void fuzzedLinesNeitherKillTheDispatcherNorDamageATurn() {
        Report r = clean(FuzzCampaign.run(Size.SHORT));
        assertEquals(0, count(r, "dispatcher deaths"));
        assertEquals(0, count(r, "real turns damaged"));
        assertTrue(count(r, "real turns during the fuzz") > 0, "turns ran while the fuzz did");
    }

    @Test
    void overloadedSilentAndFrozenServersHangNoCall() {
        Report r = clean(DeadlineCampaign.run(Size.SHORT));
        assertEquals(0, count(r, "overload and silence: hung"));
        assertEquals(0, count(r, "frozen server (SIGSTOP): hung"));
    }

    @Test
    void sequenceNumberedDeltasArriveOnceAndInOrder() {
        Report r = clean(SequenceCampaign.run(Size.SHORT));
        assertEquals(0, count(r, "lost") + count(r, "duplicated") + count(r, "reordered"));
    }

    @Test
    void unclaimedAndUnconsumedTrafficStaysWithinTheByteBudgets() {
        clean(MemoryCampaign.run(Size.SHORT));
    }

    @Test
    void aShortSoakFailsNothingAndLeavesNothing() {
        clean(SoakCampaign.run(Size.SHORT));
    }
}
