package dev.codex4j.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Messages of turns nobody has claimed yet are bounded in count and in time. */
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

    private static List<String> drain(TurnMailbox box) throws InterruptedException {
        List<String> got = new ArrayList<>();
        Inbound in;
        while ((in = box.take(Duration.ofMillis(200))) != null) {
            got.add(in.method() + (in.method().equals("turn/completed") ? "" : ":" + Lines.seq(in)));
        }
        return got;
    }

    @Test
    void heldMessagesAreBoundedPerTurnButTurnCompletedIsKept() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults().withMaxHeldMessagesPerTurn(3));
        for (int i = 0; i < 10; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        peer.send(Lines.turnCompleted("th", "tu"));
        await().atMost(WAIT).until(() -> connection.heldMessageCount() == 4);
        TurnMailbox box = connection.turnMailbox("th", "tu");
        assertEquals(0, connection.heldMessageCount());
        assertEquals(List.of("d:0", "d:1", "d:2", "turn/completed"), drain(box));
    }

    @Test
    void heldMessagesAreBoundedInTotal() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults().withMaxHeldMessagesTotal(5));
        for (int i = 0; i < 4; i++) {
            peer.send(Lines.turnEvent("d", "th", "a", i));
        }
        for (int i = 0; i < 4; i++) {
            peer.send(Lines.turnEvent("d", "th", "b", i));
        }
        peer.send(Lines.turnCompleted("th", "b"));
        await().atMost(WAIT).until(() -> connection.heldMessageCount() == 6);
        assertEquals(List.of("d:0", "d:1", "d:2", "d:3"), drain(connection.turnMailbox("th", "a")));
        assertEquals(List.of("d:0", "turn/completed"), drain(connection.turnMailbox("th", "b")));
        assertEquals(0, connection.heldMessageCount());
    }

    @Test
    void claimedTurnsAreNotBounded() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults()
                .withMaxHeldMessagesPerTurn(1).withMaxHeldMessagesTotal(1));
        TurnMailbox box = connection.turnMailbox("th", "tu");
        for (int i = 0; i < 5; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        assertEquals(List.of("d:0", "d:1", "d:2", "d:3", "d:4"), drain(box));
    }

    @Test
    void unclaimedTurnsExpireAfterTheirTtl() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults()
                .withHeldMessageTtl(Duration.ofMillis(200)));
        peer.send(Lines.turnEvent("d", "th", "forgotten", 0));
        peer.send(Lines.turnCompleted("th", "forgotten"));
        await().atMost(WAIT).until(() -> connection.heldMessageCount() == 2);
        await().atMost(WAIT).until(() -> connection.heldMessageCount() == 0);
        TurnMailbox late = connection.turnMailbox("th", "forgotten");
        assertNull(late.poll(), "expired messages are gone");
        peer.send(Lines.turnEvent("d", "th", "forgotten", 1));
        assertEquals(List.of("d:1"), drain(late), "a claim after expiry gets a fresh mailbox that works");
    }

    @Test
    void claimedTurnIsNotExpired() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults()
                .withHeldMessageTtl(Duration.ofMillis(100)));
        TurnMailbox box = connection.turnMailbox("th", "tu");
        peer.send(Lines.turnEvent("d", "th", "tu", 0));
        await().pollDelay(Duration.ofMillis(400)).atMost(WAIT).until(() -> true);
        peer.send(Lines.turnEvent("d", "th", "tu", 1));
        assertEquals(List.of("d:0", "d:1"), drain(box));
    }

    @Test
    void messagesOfATurnBeingStartedAreNeverBounded() throws Exception {
        connection = Connection.open(peer.transport, ConnectionOptions.defaults()
                .withMaxHeldMessagesPerTurn(1).withMaxHeldMessagesTotal(1));
        peer.send(Lines.turnEvent("d", "other", "junk", 0));
        try (Subscription expected = connection.expectTurn("th")) {
            for (int i = 0; i < 5; i++) {
                peer.send(Lines.turnEvent("d", "th", "tu", i));
            }
            await().atMost(WAIT).until(() -> connection.heldMessageCount() == 6);
            TurnMailbox box = connection.turnMailbox("th", "tu");
            assertEquals(List.of("d:0", "d:1", "d:2", "d:3", "d:4"), drain(box));
        }
    }
}
