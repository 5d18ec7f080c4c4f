package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fleet over in-process fakes: each endpoint's every (re)connection is a new fake of its own. */
@Timeout(60)
class CodexFleetTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Per endpoint, its fakes in order of connection. */
    private final List<List<FakeAppServer>> fakes = new ArrayList<>();

    @AfterEach
    void closeFakes() {
        fakes.forEach(l -> l.forEach(FakeAppServer::close));
    }

    private CodexBuilder endpoint(FakeAppServer.Script script) {
        List<FakeAppServer> mine = new CopyOnWriteArrayList<>();
        fakes.add(mine);
        return Codex.builder().checkAuthentication(false).transport((launch, closeTimeout, link) -> {
            FakeAppServer fake = FakeAppServer.inProcess(script);
            mine.add(fake);
            return new StreamTransport(fake.clientInput(), fake.clientOutput());
        });
    }

    private static FakeAppServer.Script silentTurns() {
        return FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")));
    }

    /** Each turn answers at once and completes 20 ms later. */
    private static FakeAppServer.Script turnsOf20Ms() {
        return FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.delay(Duration.ofMillis(20)), ScriptStep.simpleTurn("done"));
    }

    private static Supervision fast() {
        return Supervision.builder().initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(20)).build();
    }

    @Test
    void theFleetLeavesTheCallersBuildersUntouched() {
        CodexBuilder b = endpoint(silentTurns());
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", b).maxTurnsPerEndpoint(1).admissionWait(Duration.ZERO)
                .build()) {
            assertEquals(1, fleet.endpoints().get(0).maxTurns(), "the fleet's endpoint has the fleet's limit");
        }
        try (Codex alone = b.build()) {
            alone.startThread().turn("one");
            alone.startThread().turn("two"); // the fleet's limit of one turn would refuse it
            assertEquals(2, alone.activeTurns());
            fakes.get(0).get(1).close(); // the builder's own client, not supervised: the loss closes it
            await().atMost(WAIT).until(() -> alone.state() == Codex.State.CLOSED);
        }
    }

    @Test
    void newThreadsGoToTheEndpointWithTheFewestActiveTurnsAndStayThere() {
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(silentTurns()))
                .endpoint("b", endpoint(silentTurns())).endpoint("c", endpoint(silentTurns())).build()) {
            List<String> placed = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                CodexThread t = fleet.startThread();
                t.turn("busy"); // stays running: the endpoint's load grows by one
                placed.add(fleet.endpointOf(t).name());
            }
            assertEquals(List.of("a", "b", "c", "a", "b", "c"), placed);
            fleet.endpoints().forEach(e -> assertEquals(2, e.activeTurns(), e.toString()));

            CodexThread t = fleet.startThread();
            String home = fleet.endpointOf(t).name();
            CodexThread again = fleet.resumeThread(t.id());
            assertEquals(home, fleet.endpointOf(again).name(), "affinity");
            int endpoint = List.of("a", "b", "c").indexOf(home);
            assertEquals(1, fakes.get(endpoint).get(0).requests("thread/resume").size());
        }
    }

    @Test
    void newThreadsStartedTogetherSpreadOverIdleEndpoints() throws Exception {
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(silentTurns()))
                .endpoint("b", endpoint(silentTurns())).endpoint("c", endpoint(silentTurns())).build();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CodexThread>> started = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                started.add(pool.submit(() -> {
                    go.await();
                    return fleet.startThread();
                }));
            }
            go.countDown();
            Map<String, Integer> placed = new TreeMap<>();
            for (Future<CodexThread> f : started) {
                placed.merge(fleet.endpointOf(f.get()).name(), 1, Integer::sum);
            }
            assertEquals(Map.of("a", 3, "b", 3, "c", 3), placed);
        }
    }

    @Test
    void aBurstOfThreadAndTurnRequestsUsesEveryEndpointAndIsNotRefused() throws Exception {
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(turnsOf20Ms()))
                .endpoint("b", endpoint(turnsOf20Ms())).maxTurnsPerEndpoint(2)
                .admissionWait(Duration.ofSeconds(30)).build(); // far longer than 20 turns of 20 ms in turn
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> requests = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                requests.add(pool.submit(() -> {
                    go.await();
                    CodexThread t = fleet.startThread();
                    assertEquals(TurnStatus.COMPLETED, t.run("work").status());
                    return fleet.endpointOf(t).name();
                }));
            }
            go.countDown();
            Map<String, Integer> turns = new TreeMap<>();
            List<Throwable> refused = new ArrayList<>();
            for (Future<String> f : requests) {
                try {
                    turns.merge(f.get(), 1, Integer::sum);
                } catch (ExecutionException e) {
                    refused.add(e.getCause());
                }
            }
            assertEquals(List.of(), refused, "no request is refused while a slot is free somewhere");
            assertEquals(Set.of("a", "b"), turns.keySet(), "the turns use both endpoints: " + turns);
            assertEquals(40, fakes.get(0).get(0).requests("turn/start").size()
                    + fakes.get(1).get(0).requests("turn/start").size());
        }
    }

    @Test
    void anUnknownThreadIsFoundOnTheEndpointThatHasIt() {
        FakeAppServer.Script refuses = FakeAppServer.script().onRequest("thread/resume",
                ScriptStep.error(-32600, "thread not found"));
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(refuses))
                .endpoint("b", endpoint(FakeAppServer.script())).build()) {
            CodexThread t = fleet.resumeThread("thr_elsewhere");
            assertEquals("b", fleet.endpointOf(t).name());
        }
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(refuses)).build()) {
            CodexException e = assertThrows(CodexException.class, () -> fleet.resumeThread("thr_nowhere"));
            assertTrue(e.getMessage().contains("No endpoint of the fleet has thread thr_nowhere"), e.getMessage());
        }
    }

    @Test
    void aForgottenThreadIsFoundAgainByAskingTheEndpoints() {
        FakeAppServer.Script refuses = FakeAppServer.script().onRequest("thread/resume",
                ScriptStep.error(-32600, "thread not found"));
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(refuses))
                .endpoint("b", endpoint(FakeAppServer.script())).rememberedThreads(1)
                .placement(candidates -> candidates.get(0)).build()) {
            CodexThread first = fleet.startThread();
            fleet.startThread(); // both on a (the placement); the fleet now remembers only this one
            assertEquals("a", fleet.endpointOf(first).name());
            CodexThread again = fleet.resumeThread(first.id()); // a refuses (it would have been asked alone)
            assertEquals("b", fleet.endpointOf(again).name());
            assertEquals(1, fakes.get(0).get(0).requests("thread/resume").size());
        }
    }

    @Test
    void admissionWaitsBoundedThenRejectsHavingStartedNoThread() {
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(silentTurns()))
                .endpoint("b", endpoint(silentTurns())).maxTurnsPerEndpoint(1)
                .admissionWait(Duration.ofMillis(100)).build()) {
            fleet.startThread().turn("one");
            fleet.startThread().turn("two");
            CapacityExceededException e = assertThrows(CapacityExceededException.class, fleet::startThread);
            assertTrue(e.getMessage().contains("No endpoint of the fleet could take a new thread"), e.getMessage());
            assertEquals(1, fakes.get(0).get(0).requests("thread/start").size());
            assertEquals(1, fakes.get(1).get(0).requests("thread/start").size());
        }
    }

    @Test
    void aLostEndpointFailsItsTurnsLeavesPlacementAndComesBack() {
        try (CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(silentTurns()))
                .endpoint("b", endpoint(FakeAppServer.script()).supervise(Supervision.builder()
                        .initialBackoff(Duration.ofMillis(400)).maxBackoff(Duration.ofMillis(400)).build()))
                .supervision(fast()).build()) {
            CodexThread onA = fleet.startThread();
            TurnHandle running = onA.turn("runs on a");
            CodexThread onB = fleet.startThread();
            assertEquals("b", fleet.endpointOf(onB).name());

            fakes.get(0).get(0).close(); // a is lost
            ServerLostException lost = assertInstanceOf(ServerLostException.class,
                    assertThrows(RuntimeException.class, running::run));
            assertTrue(!lost.retrySafe());
            fakes.get(1).get(0).close(); // b is lost too, and comes back more slowly
            await().atMost(WAIT).until(() -> fleet.endpoints().get(0).state() == Codex.State.CONNECTED);
            if (fleet.endpoints().get(1).state() != Codex.State.CONNECTED) {
                assertEquals("a", fleet.endpointOf(fleet.startThread()).name(), "placement avoids b while it is down");
            }
            await().atMost(WAIT).until(() -> fleet.endpoints().get(1).state() == Codex.State.CONNECTED);
            assertEquals(TurnStatus.COMPLETED, onB.run("b is back").status());
            assertNotEquals(0, fleet.endpoints().get(1).restarts());
            assertSame(fleet.endpoints().get(1), fleet.endpointOf(onB));
        }
    }

    @Test
    void shutdownTakesNoNewTurnThenEndsTheTurnsStillRunningAfterTheGrace() throws Exception {
        CodexFleet fleet = CodexFleet.builder().endpoint("a", endpoint(silentTurns())).build();
        CodexThread busy = fleet.startThread();
        CodexThread idle = fleet.startThread();
        TurnHandle forever = busy.turn("never completes");
        Codex a = fleet.endpoints().get(0).client();
        assertEquals(1, a.activeTurns());

        java.util.concurrent.CompletableFuture<Boolean> shutdown =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> fleet.shutdown(Duration.ofMillis(300)));
        await().atMost(WAIT).until(a::isShuttingDown);
        CapacityExceededException refused = assertThrows(CapacityExceededException.class, () -> idle.turn("too late"));
        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());

        assertEquals(false, shutdown.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                "a turn still ran at the end of the grace period");
        assertEquals(Codex.State.CLOSED, a.state());
        assertThrows(dev.codex4j.errors.TransportClosedException.class, forever::run);
        assertEquals(1, fakes.get(0).get(0).requests("turn/start").size(), "the refused turn sent nothing");
    }
    @Test
    void closeReturnsAfterItsBoundWhenAnEndpointsCloseHangsAndReportsTheCloser() throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic.AtomicReference<>();
        List<FakeAppServer> mine = new CopyOnWriteArrayList<>();
        fakes.add(mine);
        Duration closeTimeout = Duration.ofMillis(100);
        // The endpoint's transport blocks in close() until the test releases it: its closer cannot end.
        CodexBuilder stuck = Codex.builder().checkAuthentication(false).closeTimeout(closeTimeout)
                .transport((launch, timeout, link) -> {
                    FakeAppServer fake = FakeAppServer.inProcess(silentTurns());
                    mine.add(fake);
                    return new StreamTransport(fake.clientInput(), new java.io.FilterOutputStream(fake.clientOutput()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws java.io.IOException {
                            out.write(b, off, len);
                        }

                        @Override
                        public void close() throws java.io.IOException {
                            closer.set(Thread.currentThread());
                            closing.countDown();
                            boolean released = false;
                            while (!released) {
                                try {
                                    released = release.await(1, java.util.concurrent.TimeUnit.MINUTES);
                                } catch (InterruptedException e) {
                                    // stuck for real: only the test's release ends it
                                }
                            }
                            super.close();
                        }
                    });
                });
        CodexFleet fleet = CodexFleet.builder().endpoint("stuck", stuck).build();
        try (ApprovalsTest.Captured log = new ApprovalsTest.Captured(CodexFleet.class.getName())) {
            long start = System.nanoTime();
            fleet.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(0, closing.getCount(), "the endpoint's close ran");
            Duration bound = closeTimeout.plus(dev.codex4j.internal.sdk.Waits.CLOSE_GRACE);
            assertTrue(took.compareTo(bound) >= 0, "close waited its bound: " + took);
            assertTrue(took.compareTo(bound.plusSeconds(3)) < 0, "and returned soon after: " + took);
            assertEquals("codex4j-fleet-close-stuck", closer.get().getName());
            assertTrue(closer.get().isAlive(), "the closer is still blocked");
            List<String> warnings = log.records.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                    .map(java.util.logging.LogRecord::getMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("codex4j-fleet-close-stuck") && warnings.get(0).contains("FleetTest"),
                    "names the closer and where it is blocked: " + warnings.get(0));
        } finally {
            release.countDown();
        }
        await().atMost(WAIT).until(() -> !closer.get().isAlive());
    }
}
