package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.TurnDiscardedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Memory for messages nobody consumes is bounded in bytes: held for turns nobody claimed (per turn,
 * in total, in count, in time) and unconsumed in claimed turns. A bound acts on a whole turn, says so
 * to whoever consumes it, and never touches a turn someone is starting or consuming.
 */
@Timeout(60)
class HeldMessagesTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ScriptedPeer peer = new ScriptedPeer();
    private Connection connection;

    @AfterEach
    void closeAll() throws Exception {
        connection.close();
        peer.close();
        assertEquals(List.of(), connection.liveThreads());
    }

    /** What one turnEvent line costs in the budgets. */
    private static long cost(String line) {
        return line.getBytes(StandardCharsets.UTF_8).length + Router.OVERHEAD;
    }

    /** Every turn id in these tests has two characters, so that every event costs the same. */
    private static final long EVENT = cost(Lines.turnEvent("d", "th", "tu", 0));

    private static List<String> drain(TurnMailbox box) throws InterruptedException {
        List<String> got = new ArrayList<>();
        Inbound in;
        while ((in = box.take(Duration.ofMillis(200))) != null) {
            got.add(in.method() + (in.isTurnCompleted() ? "" : ":" + Lines.seq(in)));
            if (in.isTurnCompleted()) {
                break;
            }
        }
        return got;
    }

    private void open(ConnectionOptions.Builder options) {
        connection = Connection.open(peer.transport, options.build());
    }

    @Test
    void aTurnOverItsHeldBytesIsDiscardedWholeAndItsClaimSaysWhy() throws Exception {
        open(ConnectionOptions.builder().maxHeldBytesPerTurn(3 * EVENT + 10));
        for (int i = 0; i < 10; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        peer.send(Lines.turnCompleted("th", "tu"));
        await().atMost(WAIT).until(() -> connection.stats().turnsDiscarded() == 1 && connection.stats().dropped() == 8);
        assertEquals(0, connection.heldBytes(), "a discarded turn holds nothing");
        TurnDiscardedException e = assertThrows(TurnDiscardedException.class, () -> connection.turnMailbox("th", "tu"));
        assertEquals("tu", e.turnId());
        assertTrue(e.getMessage().contains("maxHeldBytesPerTurn"), e.getMessage());
    }

    @Test
    void heldBytesAreBoundedInTotalByDiscardingTheLargestTurn() throws Exception {
        open(ConnectionOptions.builder().maxHeldBytesTotal(5 * EVENT + 10));
        for (int i = 0; i < 4; i++) {
            peer.send(Lines.turnEvent("d", "th", "aa", i));
        }
        for (int i = 0; i < 3; i++) {
            peer.send(Lines.turnEvent("d", "th", "bb", i));
        }
        await().atMost(WAIT).until(() -> connection.stats().turnsDiscarded() == 1 && connection.heldBytes() == 3 * EVENT);
        assertThrows(TurnDiscardedException.class, () -> connection.turnMailbox("th", "aa"));
        TurnMailbox b = connection.turnMailbox("th", "bb");
        peer.send(Lines.turnCompleted("th", "bb"));
        assertEquals(List.of("d:0", "d:1", "d:2", "turn/completed"), drain(b), "the turn that fits is whole");
        assertEquals(0, connection.heldBytes());
    }

    @Test
    void turnCompletedIsBoundedTooForTurnsNobodyStarted() throws Exception {
        open(ConnectionOptions.builder().maxHeldTurns(100));
        for (int i = 0; i < 500; i++) {
            peer.send(Lines.turnCompleted("th", "never-started-" + i));
        }
        await().atMost(WAIT).until(() -> connection.stats().dropped() == 400);
        assertEquals(100, connection.heldTurns());
        assertEquals(100, connection.routeCount(), "no route is made past maxHeldTurns");
    }

    @Test
    void claimedTurnsAreNotBoundedByTheHeldBudget() throws Exception {
        open(ConnectionOptions.builder().maxHeldBytesPerTurn(EVENT).maxHeldBytesTotal(EVENT));
        TurnMailbox box = connection.turnMailbox("th", "tu");
        for (int i = 0; i < 5; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        peer.send(Lines.turnCompleted("th", "tu"));
        assertEquals(List.of("d:0", "d:1", "d:2", "d:3", "d:4", "turn/completed"), drain(box));
    }

    @Test
    void messagesOfATurnBeingStartedAreNeverBounded() throws Exception {
        open(ConnectionOptions.builder().maxHeldBytesPerTurn(EVENT).maxHeldBytesTotal(EVENT));
        peer.send(Lines.turnEvent("d", "other", "junk", 0));
        Reservation starting = connection.tryReserveTurn("th", null);
        assertNotNull(starting);
        for (int i = 0; i < 5; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        peer.send(Lines.turnCompleted("th", "tu"));
        await().atMost(WAIT).until(() -> connection.heldTurns() == 2 && connection.heldBytes() >= 6 * EVENT);
        TurnMailbox box = starting.claim("tu");
        assertEquals(List.of("d:0", "d:1", "d:2", "d:3", "d:4", "turn/completed"), drain(box));
        assertTrue(starting.isReleased(), "the turn ended before its claim: the thread is free at once");
    }

    @Test
    void unclaimedTurnsExpireAfterTheirTtlAndALateClaimIsTold() throws Exception {
        open(ConnectionOptions.builder().heldMessageTtl(Duration.ofMillis(200)));
        peer.send(Lines.turnEvent("d", "th", "forgotten", 0));
        peer.send(Lines.turnCompleted("th", "forgotten"));
        await().atMost(WAIT).until(() -> connection.heldBytes() > 0);
        await().atMost(WAIT).until(() -> connection.heldBytes() == 0);
        TurnDiscardedException e = assertThrows(TurnDiscardedException.class,
                () -> connection.turnMailbox("th", "forgotten"));
        assertTrue(e.getMessage().contains("heldMessageTtl"), e.getMessage());
        await().atMost(WAIT).until(() -> connection.routeCount() == 0);
        TurnMailbox fresh = connection.turnMailbox("th", "forgotten");
        assertNull(fresh.poll(), "once the tombstone is gone, a claim gets a fresh mailbox");
    }

    @Test
    void aClaimedTurnIsNotExpired() throws Exception {
        open(ConnectionOptions.builder().heldMessageTtl(Duration.ofMillis(100)));
        TurnMailbox box = connection.turnMailbox("th", "tu");
        peer.send(Lines.turnEvent("d", "th", "tu", 0));
        peer.send(Lines.turnEvent("d", "th", "witness", 0));
        // The sweeper has run past the TTL once the unclaimed witness is gone.
        await().atMost(WAIT).until(() -> connection.stats().turnsDiscarded() == 1);
        peer.send(Lines.turnEvent("d", "th", "tu", 1));
        peer.send(Lines.turnCompleted("th", "tu"));
        assertEquals(List.of("d:0", "d:1", "turn/completed"), drain(box));
    }

    @Test
    void aClaimedTurnNobodyConsumesIsDiscardedOverTheBudgetLargestFirst() throws Exception {
        open(ConnectionOptions.builder().maxUnconsumedBytes(10 * EVENT));
        TurnMailbox idleSmall = connection.turnMailbox("th1", "small");
        TurnMailbox idleLarge = connection.turnMailbox("th2", "large");
        TurnMailbox consumed = connection.turnMailbox("th3", "read");
        consumed.attach(TurnMailbox.WakePolicy.EACH_BATCH);
        peer.send(Lines.turnEvent("d", "th1", "small", 0));
        for (int i = 0; i < 30; i++) {
            peer.send(Lines.turnEvent("d", "th3", "read", i));
        }
        for (int i = 0; i < 12; i++) {
            peer.send(Lines.turnEvent("d", "th2", "large", i));
        }
        peer.send(Lines.turnCompleted("th3", "read"));
        List<String> got = drain(consumed);
        assertEquals(31, got.size(), "a consumed turn is never discarded: " + got);
        await().atMost(WAIT).until(() -> connection.stats().turnsDiscarded() == 1);
        TurnDiscardedException e = assertThrows(TurnDiscardedException.class, idleLarge::poll);
        assertTrue(e.getMessage().contains("maxUnconsumedBytes"), e.getMessage());
        assertEquals("d", idleSmall.poll().method(), "the small idle turn kept its events");
        assertTrue(connection.unconsumedBytes() <= 10 * EVENT);
    }

    @Test
    void anEndedTurnNobodyConsumesIsDiscardedAfterItsTtl() throws Exception {
        open(ConnectionOptions.builder().unconsumedTtl(Duration.ofMillis(200)).heldMessageTtl(Duration.ofMillis(100)));
        TurnMailbox box = connection.turnMailbox("th", "tu");
        peer.send(Lines.turnEvent("d", "th", "tu", 0));
        peer.send(Lines.turnCompleted("th", "tu"));
        await().atMost(WAIT).until(() -> connection.stats().turnsDiscarded() == 1);
        assertEquals(0, connection.unconsumedBytes());
        assertThrows(TurnDiscardedException.class, () -> box.take(WAIT));
    }

    @Test
    void aDetachedConsumersLeftoversCountAsUnconsumedAgain() throws Exception {
        open(ConnectionOptions.builder());
        TurnMailbox box = connection.turnMailbox("th", "tu");
        box.attach(TurnMailbox.WakePolicy.EACH_BATCH);
        for (int i = 0; i < 4; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        assertEquals(0, Lines.seq(box.take(WAIT)));
        await().atMost(WAIT).until(() -> connection.stats().lines() >= 4);
        assertEquals(0, connection.unconsumedBytes(), "an attached consumer's events are not unconsumed");
        box.detach();
        assertEquals(3 * EVENT, connection.unconsumedBytes());
        box.attach(TurnMailbox.WakePolicy.COMPLETION);
        assertEquals(0, connection.unconsumedBytes());
    }
}
