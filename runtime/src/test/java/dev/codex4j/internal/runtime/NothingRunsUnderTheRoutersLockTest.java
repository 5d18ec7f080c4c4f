package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * What the runtime runs for the SDK (a reservation's release action, the event sink) runs after
 * the router's lock is released, and one that is slow on the dispatcher is reported.
 */
@Timeout(60)
class NothingRunsUnderTheRoutersLockTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private ScriptedPeer peer;
    private Connection connection;

    @BeforeEach
    void open() {
        peer = new ScriptedPeer();
        connection = Connection.open(peer.transport, ConnectionOptions.defaults());
    }

    @AfterEach
    void closeAll() throws Exception {
        connection.close();
        peer.close();
        assertEquals(List.of(), connection.liveThreads(), "threads left after close");
    }

    /**
     * A release action that waits for another thread using the connection (as the SDK's does when
     * it signals a fleet whose placement thread reads the connection): under the router's lock
     * that other thread could not get in. Returns how it went: "free", or why not.
     */
    private Runnable actionThatNeedsTheConnection(AtomicReference<String> outcome) {
        return () -> {
            try {
                CompletableFuture.supplyAsync(connection::heldTurns, r -> Thread.ofVirtual().start(r))
                        .get(2, TimeUnit.SECONDS);
                outcome.set("free");
            } catch (TimeoutException e) {
                outcome.set("another thread could not take the router's lock: the action ran under it");
            } catch (Exception e) {
                outcome.set(e.toString());
            }
        };
    }

    @Test
    void theReleaseActionOfATurnThatEndsRunsAfterTheLockIsReleased() {
        Reservation r = connection.tryReserveTurn("th", null);
        AtomicReference<String> outcome = new AtomicReference<>();
        r.whenReleased(actionThatNeedsTheConnection(outcome));
        try (TurnMailbox box = r.claim("tu")) {
            peer.send(Lines.turnCompleted("th", "tu"));
            await().atMost(WAIT).untilAsserted(() -> assertEquals("free", outcome.get()));
        }
    }

    @Test
    void theReleaseActionOfAnUnclaimedReservationRunsAfterTheLockIsReleased() {
        Reservation r = connection.tryReserveTurn("th", null);
        AtomicReference<String> outcome = new AtomicReference<>();
        r.whenReleased(actionThatNeedsTheConnection(outcome));
        r.close();
        assertEquals("free", outcome.get());
    }

    @Test
    void theReleaseActionsAtTheConnectionsEndRunAfterTheLockIsReleased() {
        Reservation r = connection.tryReserveTurn("th", null);
        AtomicReference<String> outcome = new AtomicReference<>();
        r.whenReleased(actionThatNeedsTheConnection(outcome));
        peer.hangUp();
        await().atMost(WAIT).untilAsserted(() -> assertEquals("free", outcome.get()));
    }

    @Test
    void aSlowReleaseActionOnTheDispatcherIsLogged() {
        try (LogCapture log = new LogCapture("dev.codex4j.internal.runtime.SlowCallbacks")) {
            Reservation r = connection.tryReserveTurn("th", null);
            r.whenReleased(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try (TurnMailbox box = r.claim("tu")) {
                peer.send(Lines.turnCompleted("th", "tu"));
                await().atMost(WAIT).untilAsserted(() -> assertEquals(1,
                        log.at(Level.WARNING, "Reservation.whenReleased action").size()));
            }
            assertTrue(log.at(Level.WARNING, "Reservation.whenReleased action").getFirst().getMessage()
                    .contains("codex4j-dispatcher"));
        }
    }

    @Test
    void aSlowEventSinkOnTheDispatcherIsLoggedOnceByName() throws Exception {
        connection.close();
        peer.close();
        peer = new ScriptedPeer();
        class BlockingSink implements RuntimeEvents {
            @Override
            public void requestEnded(String method, long nanos) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (LogCapture log = new LogCapture("dev.codex4j.internal.runtime.SlowCallbacks")) {
            connection = Connection.open(peer.transport, ConnectionOptions.defaults(), new BlockingSink());
            for (int i = 0; i < 2; i++) {
                CompletableFuture<JsonNode> f = connection.request("thread/read", ProtocolCodec.emptyObject());
                RequestId id = peer.nextRequest().id();
                peer.send(Lines.result(id, ProtocolCodec.emptyObject()));
                f.get(5, TimeUnit.SECONDS);
            }
            var warnings = log.at(Level.WARNING, BlockingSink.class.getName() + ".requestEnded");
            assertEquals(1, warnings.size(), "one WARNING naming the callback, however often it is slow");
            assertTrue(warnings.getFirst().getMessage().contains("codex4j-dispatcher"), warnings.getFirst().getMessage());
        }
    }

    @Test
    void aSinkThatTimesItsOwnCallbacksIsNotTimedAgain() {
        SlowCallbacks slow = new SlowCallbacks(Duration.ofMillis(1), System.getLogger("test"));
        RuntimeEvents selfTimed = new RuntimeEvents() {
            @Override
            public boolean timesItsCallbacks() {
                return true;
            }
        };
        RuntimeEvents plain = new RuntimeEvents() {};
        assertSame(selfTimed, slow.watch(selfTimed), "reported once, by the sink itself");
        assertNotSame(plain, slow.watch(plain));
    }
}
