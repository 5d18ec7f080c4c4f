package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Supervised restart against in-process fakes: each (re)connection opens a new {@link FakeAppServer}
 * (the script chosen by its index), and closing a fake stands for a killed server.
 */
@Timeout(60)
class SupervisionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<FakeAppServer> fakes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeFakes() {
        fakes.forEach(FakeAppServer::close);
    }

    /** A builder whose every connection is a new fake, scripted by its index (0 = the first). */
    private CodexBuilder fleetOfFakes(IntFunction<FakeAppServer.Script> scripts) {
        return Codex.builder().checkAuthentication(false).transport((launch, closeTimeout, link) -> {
            FakeAppServer fake = FakeAppServer.inProcess(scripts.apply(fakes.size()));
            fakes.add(fake);
            return new StreamTransport(fake.clientInput(), fake.clientOutput());
        });
    }

    private static Supervision fast() {
        return Supervision.builder().initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(20)).build();
    }

    /** The first server answers turn/start and then says nothing; later ones run turns to the end. */
    private static FakeAppServer.Script silentFirst(int index) {
        FakeAppServer.Script s = FakeAppServer.script();
        return index == 0
                ? s.onRequest("turn/start", ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")))
                : s;
    }

    @Test
    void aLostServerFailsTheRunningTurnNotRetrySafeThenTheSameThreadWorksOnTheRestartedOne() throws Exception {
        try (Codex codex = fleetOfFakes(SupervisionTest::silentFirst).supervise(fast()).build()) {
            CodexThread thread = codex.startThread();
            TurnHandle turn = thread.turn("first");
            CompletableFuture<RunResult> running = turn.runAsync();
            fakes.get(0).close(); // killed

            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            ServerLostException lost = assertInstanceOf(ServerLostException.class, e.getCause());
            assertFalse(lost.retrySafe(), "its turn/start was written: " + lost.getMessage());
            assertEquals(0, codex.activeTurns(), "the lost turn gave its slot back");

            await().atMost(WAIT).until(codex::isConnected);
            assertEquals(1, codex.restarts());
            RunResult second = thread.run("second");
            assertEquals(TurnStatus.COMPLETED, second.status());
            assertEquals(List.of(thread.id()), fakes.get(1).requests("thread/resume").stream()
                    .map(r -> r.path("params").path("threadId").asString()).toList(), "resumed once, on first use");
            thread.run("third");
            assertEquals(1, fakes.get(1).requests("thread/resume").size(), "not resumed again");
            assertEquals(1, fakes.get(1).requests("initialize").size(), "the handshake was redone");
        }
    }

    @Test
    void anEphemeralThreadCannotBeResumedAfterARestartAndAPersistentOneIsWithTheOptionsItWasStartedWith() {
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script()).supervise(fast()).build()) {
            CodexThread ephemeral = codex.startThread(ThreadOptions.builder().ephemeral(true).build());
            CodexThread kept = codex.startThread(ThreadOptions.builder().ephemeral(false).model("m-1").build());
            fakes.get(0).close();
            await().atMost(WAIT).until(codex::isConnected);
            ServerLostException e = assertThrows(ServerLostException.class, () -> ephemeral.run("hi"));
            assertFalse(e.retrySafe());
            assertTrue(e.getMessage().contains("ephemeral"), e.getMessage());
            assertEquals(TurnStatus.COMPLETED, kept.run("hi").status());
            var resume = fakes.get(1).requests("thread/resume");
            assertEquals(1, resume.size());
            assertEquals("m-1", resume.get(0).path("params").path("model").asString());
            assertFalse(resume.get(0).path("params").has("ephemeral"));
        }
    }

    @Test
    void aResumedThreadGetsItsMergedAcceptedSettingsBeforeItsNextTurnAndARefusalIsLoggedNotThrown() {
        // the first two servers accept settings, the third refuses them
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script().onRequest("thread/settings/update", i < 2
                ? ScriptStep.respondEmpty() : ScriptStep.error(-32600, "unknown model m-2")))
                .experimentalApi(true).supervise(fast()).build();
                ApprovalsTest.Captured log = new ApprovalsTest.Captured(Codex.class.getName())) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().model("m-1").build());
            thread.updateSettings(ThreadSettings.builder().model("m-2").effort("low").build());
            thread.updateSettings(ThreadSettings.builder().effort("high").params(p -> p.serviceTier("flex")).build());
            fakes.get(0).close();
            await().atMost(WAIT).until(codex::isConnected);

            assertEquals(TurnStatus.COMPLETED, thread.run("hi").status());
            assertEquals(List.of("thread/resume", "thread/settings/update", "turn/start"), threadMethods(fakes.get(1)),
                    "the settings right after the resume, before the turn");
            assertEquals("m-1", fakes.get(1).requests("thread/resume").get(0).path("params").path("model").asString(),
                    "resumed with its options");
            assertEquals(dev.codex4j.protocol.ProtocolCodec.mapper().readTree("{\"threadId\":\"" + thread.id()
                    + "\",\"model\":\"m-2\",\"effort\":\"high\",\"serviceTier\":\"flex\"}"),
                    fakes.get(1).requests("thread/settings/update").get(0).path("params"),
                    "each member as the latest accepted update gave it");

            fakes.get(1).close();
            await().atMost(WAIT).until(() -> codex.restarts() == 2 && codex.isConnected());
            assertEquals(TurnStatus.COMPLETED, thread.run("again").status(), "a refusal leaves the thread usable");
            assertEquals(List.of("thread/resume", "thread/settings/update", "turn/start"), threadMethods(fakes.get(2)));
            List<String> warnings = log.records.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                    .map(java.util.logging.LogRecord::getMessage).filter(m -> m.contains("refused")).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains(thread.id()) && warnings.get(0).contains("unknown model m-2"),
                    warnings.get(0));
        }
    }

    @Test
    void aTurnsSettingsAreRestoredMergedWithTheUpdatesAndARefusedTurnsAreNot() {
        // the first server refuses the first turn/start; every server accepts settings
        try (Codex codex = fleetOfFakes(i -> (i == 0 ? FakeAppServer.script().onRequest("turn/start", 1,
                ScriptStep.error(-32600, "unknown model m-9")) : FakeAppServer.script())
                .onRequest("thread/settings/update", ScriptStep.respondEmpty()))
                .experimentalApi(true).supervise(fast()).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().model("m-1").build());
            assertThrows(dev.codex4j.errors.CodexRpcException.class,
                    () -> thread.run("refused", TurnOptions.builder().model("m-9").summary(
                            dev.codex4j.protocol.types.ReasoningSummary.DETAILED).build()));
            thread.updateSettings(ThreadSettings.builder().model("m-2").effort("low").build());
            thread.run("one", TurnOptions.builder().model("m-3").sandboxPreset(SandboxPreset.readOnly())
                    .outputSchema(dev.codex4j.protocol.ProtocolCodec.mapper().readTree("{\"type\":\"object\"}"))
                    .build());
            thread.run("two: no options");
            fakes.get(0).close();
            await().atMost(WAIT).until(codex::isConnected);

            assertEquals(TurnStatus.COMPLETED, thread.run("hi").status());
            assertEquals(List.of("thread/resume", "thread/settings/update", "turn/start"), threadMethods(fakes.get(1)));
            tools.jackson.databind.JsonNode restored = fakes.get(1).requests("thread/settings/update").get(0)
                    .path("params");
            assertEquals(java.util.Set.of("threadId", "model", "effort", "sandboxPolicy"),
                    java.util.Set.copyOf(restored.propertyNames()), "only what the server keeps: " + restored);
            assertEquals("m-3", restored.path("model").asString(), "the latest turn's model over the update's");
            assertEquals("low", restored.path("effort").asString(), "the update's effort");
            assertEquals(fakes.get(0).requests("turn/start").get(1).path("params").path("sandboxPolicy"),
                    restored.path("sandboxPolicy"), "the turn's sandbox");
        }
    }

    @Test
    void withoutTheExperimentalApiTheFirstTurnAfterTheResumeCarriesTheTurnsSettings() {
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script()).supervise(fast()).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().model("m-1").build());
            thread.run("one", TurnOptions.builder().model("m-3").effort("high").build());
            fakes.get(0).close();
            await().atMost(WAIT).until(codex::isConnected);

            assertEquals(TurnStatus.COMPLETED, thread.run("hi", TurnOptions.builder().effort("low").build()).status());
            assertEquals(TurnStatus.COMPLETED, thread.run("again").status());
            assertEquals(List.of("thread/resume", "turn/start", "turn/start"), threadMethods(fakes.get(1)),
                    "thread/settings/update is experimental: not sent");
            tools.jackson.databind.JsonNode first = fakes.get(1).requests("turn/start").get(0).path("params");
            assertEquals("m-3", first.path("model").asString(""), "the earlier turn's model");
            assertEquals("low", first.path("effort").asString(""), "the turn's own effort over the earlier one");
            assertFalse(fakes.get(1).requests("turn/start").get(1).path("params").has("model"),
                    "only the first turn carries them");
        }
    }

    @Test
    void anUpdateWhoseReplyWasLostWithTheServerIsSentAgainAfterTheResume() {
        // the first server takes the update and is lost before it answers
        try (Codex codex = fleetOfFakes(i -> i == 0 ? FakeAppServer.script().neverAnswer("thread/settings/update")
                : FakeAppServer.script().onRequest("thread/settings/update", ScriptStep.respondEmpty()))
                .experimentalApi(true).supervise(fast()).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().model("m-1").build());
            CompletableFuture<Object> update = CompletableFuture.supplyAsync(() -> {
                thread.updateSettings(ThreadSettings.builder().model("m-2").build());
                return null;
            });
            fakes.get(0).awaitReceived(m -> m.path("method").asString("").equals("thread/settings/update"), WAIT);
            fakes.get(0).close();
            ServerLostException lost = assertInstanceOf(ServerLostException.class, cause(update));
            assertFalse(lost.retrySafe(), "it was written: the lost server may have applied it");
            await().atMost(WAIT).until(codex::isConnected);

            assertEquals(TurnStatus.COMPLETED, thread.run("hi").status());
            assertEquals(List.of("thread/resume", "thread/settings/update", "turn/start"), threadMethods(fakes.get(1)));
            assertEquals("m-2", fakes.get(1).requests("thread/settings/update").get(0).path("params").path("model")
                    .asString(), "the update the lost server may have applied");
        }
    }

    private static List<String> threadMethods(FakeAppServer fake) {
        return fake.received().stream().map(m -> m.path("method").asString(""))
                .filter(m -> m.startsWith("thread/") || m.startsWith("turn/")).toList();
    }

    @Test
    void aThreadTheRestartedServerCannotResumeFailsAsLostNotAsAnInvalidRequest() {
        // 0.169.0 refuses thread/resume of a thread never saved before the kill: "no rollout found"
        try (Codex codex = fleetOfFakes(i -> i == 0 ? FakeAppServer.script()
                : FakeAppServer.script().onRequest("thread/resume",
                        ScriptStep.error(-32600, "no rollout found for thread id x"))).supervise(fast()).build()) {
            CodexThread thread = codex.startThread();
            fakes.get(0).close();
            await().atMost(WAIT).until(codex::isConnected);
            ServerLostException e = assertThrows(ServerLostException.class, () -> thread.run("hi"));
            assertFalse(e.retrySafe(), e.getMessage());
            assertTrue(e.getMessage().contains(thread.id()) && e.getMessage().contains("no rollout found"), e.getMessage());
            assertEquals(TurnStatus.COMPLETED, codex.startThread().run("a new thread works").status());
        }
    }

    @Test
    void aLostRequestIsRetrySafeOnlyWhenItWasAReadOrNeverWritten() throws Exception {
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script().neverAnswer("thread/read")
                .neverAnswer("thread/name/set")).supervise(fast()).build()) {
            CodexThread thread = codex.startThread();
            CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> thread.read());
            CompletableFuture<Object> rename = CompletableFuture.supplyAsync(() -> {
                thread.setName("x");
                return null;
            });
            fakes.get(0).awaitReceived(m -> m.path("method").asString("").equals("thread/read"), WAIT);
            fakes.get(0).awaitReceived(m -> m.path("method").asString("").equals("thread/name/set"), WAIT);
            fakes.get(0).close();

            ServerLostException r = assertInstanceOf(ServerLostException.class, cause(read));
            assertTrue(r.retrySafe(), "a read: " + r.getMessage());
            ServerLostException n = assertInstanceOf(ServerLostException.class, cause(rename));
            assertFalse(n.retrySafe(), "a write that was sent: " + n.getMessage());
        }
    }

    @Test
    void callsDuringARestartWaitForIt() {
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script()).supervise(Supervision.builder()
                .initialBackoff(Duration.ofMillis(300)).build()).build()) {
            fakes.get(0).close();
            await().atMost(WAIT).until(() -> codex.state() == Codex.State.RECONNECTING);
            CodexThread thread = codex.startThread(); // waits for the new server
            assertEquals(2, fakes.size());
            assertEquals(1, fakes.get(1).requests("thread/start").size());
            assertEquals(TurnStatus.COMPLETED, thread.run("hi").status());
        }
    }

    @Test
    void aCallThatOutwaitsTheRequestTimeoutDuringARestartFailsRetrySafe() {
        try (Codex codex = fleetOfFakes(i -> FakeAppServer.script()).requestTimeout(Duration.ofMillis(200))
                .supervise(Supervision.builder().initialBackoff(Duration.ofHours(1)).maxBackoff(Duration.ofHours(1))
                        .build()).build()) {
            fakes.get(0).close();
            // during the restart: a call made before the client saw the loss would be written to the dead link
            await().atMost(WAIT).until(() -> codex.state() == Codex.State.RECONNECTING);
            ServerLostException e = assertThrows(ServerLostException.class, codex::startThread);
            assertTrue(e.retrySafe(), e.getMessage());
            assertEquals(1, fakes.size(), "nothing was sent anywhere");
        }
    }

    @Test
    void closeDuringABackoffStopsAtOnceAndRestartsNothing() {
        Codex codex = fleetOfFakes(i -> FakeAppServer.script()).supervise(Supervision.builder()
                .initialBackoff(Duration.ofHours(1)).maxBackoff(Duration.ofHours(1)).build()).build();
        fakes.get(0).close();
        await().atMost(WAIT).until(() -> codex.state() == Codex.State.RECONNECTING);
        codex.close(); // the test's timeout guards against a close that waits for the backoff
        assertEquals(Codex.State.CLOSED, codex.state());
        assertEquals(1, fakes.size());
        assertInstanceOf(TransportClosedException.class, assertThrows(RuntimeException.class, codex::startThread));
    }

    @Test
    void exhaustedRestartsCloseTheClientSayingWhy() {
        CodexBuilder b = Codex.builder().checkAuthentication(false).transport((launch, closeTimeout, link) -> {
            if (!fakes.isEmpty()) {
                throw new TransportClosedException("no server here", null, "", null);
            }
            FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
            fakes.add(fake);
            return new StreamTransport(fake.clientInput(), fake.clientOutput());
        });
        try (Codex codex = b.supervise(Supervision.builder().initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(5)).maxRestarts(3, Duration.ofMinutes(1)).build()).build()) {
            fakes.get(0).close();
            await().atMost(WAIT).until(() -> codex.state() == Codex.State.CLOSED);
            assertFalse(codex.isOpen());
            TransportClosedException e = assertThrows(TransportClosedException.class, codex::startThread);
            assertTrue(e.getMessage().contains("gave up") && e.getMessage().contains("3 restarts within PT1M")
                    && e.getMessage().contains("no server here"), e.getMessage());
        }
    }

    @Test
    void withoutSupervisionALostServerIsAPlainTransportClosedException() {
        try (Codex codex = fleetOfFakes(SupervisionTest::silentFirst).build()) {
            TurnHandle turn = codex.startThread().turn("first");
            fakes.get(0).close();
            TransportClosedException e = assertThrows(TransportClosedException.class, turn::run);
            assertFalse(e instanceof ServerLostException, e.toString());
            await().atMost(WAIT).until(() -> codex.state() == Codex.State.CLOSED);
            assertEquals(1, fakes.size());
        }
    }

    @Test
    void admissionRejectsATurnOverTheLimitHavingSentNothing() {
        try (Codex codex = fleetOfFakes(SupervisionTest::silentFirst)
                .maxConcurrentTurns(1, Duration.ofMillis(50)).build()) {
            TurnHandle first = codex.startThread().turn("first");
            CodexThread other = codex.startThread();
            assertEquals(1, codex.activeTurns());
            CapacityExceededException e = assertThrows(CapacityExceededException.class, () -> other.turn("second"));
            assertTrue(e.getMessage().contains("1 turn slots"), e.getMessage());
            assertEquals(1, fakes.get(0).requests("turn/start").size());
            assertFalse(first.isCompleted());
            first.interrupt(); // the fake ends it as interrupted: its slot is free again
            assertEquals(TurnStatus.INTERRUPTED, first.run().status());
            await().atMost(WAIT).until(() -> codex.activeTurns() == 0);
            other.turn("second");
            assertEquals(2, fakes.get(0).requests("turn/start").size());
        }
    }

    private static Throwable cause(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }
}
