package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationRequiredException;
import dev.codex4j.errors.LineTooLongException;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.errors.TurnDiscardedException;
import dev.codex4j.errors.TurnTimeoutException;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.protocol.types.UserInput;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The defects of the fault campaign (issue 10), each reproduced against testkit's fake app-server:
 * every test here failed on the code before the fix.
 */
@Timeout(120)
class FaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    /** A turn/start that is answered and then never heard of again. */
    private static FakeAppServer.Script silentTurns() {
        return FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")));
    }

    /** Records what a JUL logger (the default System.Logger backend) publishes. */
    private static final class Captured extends Handler implements AutoCloseable {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger logger;

        Captured(String name) {
            logger = Logger.getLogger(name);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    // ---------------------------------------------------------------- 6: timeouts are deadlines

    @Test
    void aTurnTimeoutIsADeadlineEvenWhenTheServerNeverAnswersTheInterrupt() {
        FakeAppServer.Script script = silentTurns().neverAnswer("turn/interrupt");
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            long start = System.nanoTime();
            TurnTimeoutException e = assertThrows(TurnTimeoutException.class,
                    () -> thread.run("q", TurnOptions.builder().timeout(Duration.ofMillis(300)).build()));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 1_300, "the 300 ms deadline took " + ms + " ms");
            assertTrue(e.getMessage().contains("an interrupt was requested"), e.getMessage());
            assertFalse(e.getMessage().contains("it was interrupted"), "nothing claims an unconfirmed interrupt");
            fake.awaitReceived(m -> "turn/interrupt".equals(m.path("method").asString()), WAIT);
        }
    }

    @Test
    void aTurnTimeoutIsADeadlineWhenTheInterruptIsAnsweredButNoTurnCompletedFollows() {
        FakeAppServer.Script script = silentTurns().onRequest("turn/interrupt", ScriptStep.respondEmpty());
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            long start = System.nanoTime();
            TurnHandle turn = thread.turn("q", TurnOptions.builder().timeout(Duration.ofMillis(300)).build());
            assertThrows(TurnTimeoutException.class, turn::run);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 1_300, "the 300 ms deadline took " + ms + " ms");
        }
    }

    // ---------------------------------------------------------------- 7: cancellation

    @Test
    void anInterruptThatComesBeforeTheServerKnowsTheTurnIsSentAgainUntilAccepted() {
        // The first interrupt finds "no active turn" (the turn is not registered yet); the second works.
        FakeAppServer.Script script = silentTurns()
                .onRequest("turn/interrupt", 1, ScriptStep.error(-32600, "no active turn to interrupt"));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            TurnHandle turn = codex.startThread().turn("q");
            turn.interrupt();
            RunResult r = turn.run();
            assertEquals(TurnStatus.INTERRUPTED, r.status());
            assertEquals(2, fake.requests("turn/interrupt").size());
        }
    }

    @Test
    void cancellingRunAsyncInterruptsTheTurn() throws Exception {
        try (FakeAppServer fake = FakeAppServer.inProcess(silentTurns()); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            TurnHandle turn = thread.turn("q");
            CompletableFuture<RunResult> f = turn.runAsync();
            assertTrue(f.cancel(true));
            fake.awaitReceived(m -> "turn/interrupt".equals(m.path("method").asString()), WAIT);
            await().atMost(WAIT).until(turn::isCompleted);
            assertEquals(TurnStatus.INTERRUPTED, turn.run().status(), "a later run() takes over and gets the end");
        }
    }

    @Test
    void cancellingCodexThreadRunAsyncBeforeTheTurnIdIsKnownStillInterruptsIt() throws Exception {
        // turn/start's reply is late: the cancel comes before the SDK knows the turn's id.
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", 1,
                ScriptStep.delay(Duration.ofMillis(300)), ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            CompletableFuture<RunResult> f = thread.runAsync("q");
            fake.awaitReceived(m -> "turn/start".equals(m.path("method").asString()), WAIT);
            f.cancel(true);
            fake.awaitReceived(m -> "turn/interrupt".equals(m.path("method").asString()), WAIT);
            await().atMost(WAIT).until(() -> thread.activeTurn().isEmpty());
            assertEquals(Optional.of("ok"), thread.run("next").finalResponse(), "the thread takes the next turn");
        }
    }

    @Test
    void runAfterAnOrTimeoutOfRunAsyncTakesOver() throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.delay(Duration.ofMillis(500)),
                ScriptStep.simpleTurn("late but whole"));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            TurnHandle turn = codex.startThread().turn("q");
            CompletableFuture<RunResult> f = turn.runAsync().orTimeout(50, TimeUnit.MILLISECONDS);
            assertThrows(Exception.class, f::join);
            assertEquals(Optional.of("late but whole"), turn.run().finalResponse());
        }
    }

    @Test
    void leavingAnEventsLoopWithoutClosingItDoesNotWedgeTheThread() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
                Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            TurnEventStream events = thread.turn("q").events();
            for (TurnEvent e : events) {
                if (e instanceof TurnEvent.ItemStarted) {
                    break; // no close()
                }
            }
            Optional<TurnEvent> first = thread.turn("again").events().stream().findFirst(); // not closed either
            assertTrue(first.isPresent());
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> thread.run("third").finalResponse().equals(Optional.of("ok")));
        }
    }

    // ---------------------------------------------------------------- 3: unconsumed turns

    @Test
    void unconsumedTurnsAreBoundedAndTheirConsumerIsTold() {
        // Each turn holds about 60 KB of deltas; 20 such turns against a 400 KB budget.
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.burst(1, 1, 300));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().maxUnconsumedBytes(400_000))) {
            List<TurnHandle> turns = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                turns.add(codex.startThread().turn("q"));
            }
            await().atMost(WAIT).until(() -> turns.stream().allMatch(TurnHandle::isCompleted));
            assertTrue(codex.session().connection().unconsumedBytes() <= 400_000, "the bound holds");
            long discarded = turns.stream().filter(t -> {
                try {
                    t.run();
                    return false;
                } catch (TurnDiscardedException e) {
                    assertTrue(e.getMessage().contains("maxUnconsumedBytes"), e.getMessage());
                    return true;
                }
            }).count();
            assertTrue(discarded > 0 && discarded < 20, discarded + " of 20 discarded");
        }
    }

    @Test
    void anUnreachableUnconsumedTurnReleasesItsEvents() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.burst(1, 1, 200)));
                Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            thread.turn("q"); // dropped at once
            await().atMost(WAIT).until(() -> codex.session().connection().unconsumedBytes() > 10_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                System.gc();
                return codex.session().connection().unconsumedBytes() == 0;
            });
        }
    }

    // ---------------------------------------------------------------- 5: line length

    @Test
    void aLineOverTheLimitEndsTheConnectionWithATypedCause() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.largeLine(3 << 20));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().maxLineBytes(1 << 20))) {
            TransportClosedException e = assertThrows(TransportClosedException.class, () -> codex.startThread().run("q"));
            LineTooLongException cause = assertInstanceOf(LineTooLongException.class, e.getCause());
            assertEquals(1 << 20, cause.limit());
            assertTrue(e.getMessage().contains("maxLineBytes"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- 8: close from a handler, after close

    @Test
    void closeFromInsideAnApprovalHandlerIsGracefulAndLeavesItsThreadAlone() throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.commandApproval("ls"));
        AtomicReference<Codex> self = new AtomicReference<>();
        CompletableFuture<String> inHandler = new CompletableFuture<>();
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(script)) {
            Codex codex = Codex.builder().launch(proc.launch()).closeTimeout(Duration.ofSeconds(30)).approvalHandler(r -> {
                List<ProcessHandle> children = ProcessHandle.current().children().toList();
                long start = System.nanoTime();
                self.get().close();
                long ms = (System.nanoTime() - start) / 1_000_000;
                inHandler.complete("interrupted=" + Thread.currentThread().isInterrupted() + " open=" + self.get().isOpen()
                        + " childAlive=" + children.stream().anyMatch(ProcessHandle::isAlive) + " graceful=" + (ms < 10_000));
                return Decision.decline();
            }).build();
            self.set(codex);
            CodexThread thread = codex.startThread();
            // The approval may close the client before or after turn() has its handle: either way it ends typed.
            assertThrows(TransportClosedException.class, () -> thread.turn("q").run());
            assertEquals("interrupted=false open=false childAlive=false graceful=true", inHandler.get(40, TimeUnit.SECONDS));
        }
    }

    @Test
    void nothingIsDeliveredOnceCloseHasBegun() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.burst(1, 1, 50));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            TurnHandle turn = codex.startThread().turn("q");
            await().atMost(WAIT).until(turn::isCompleted);
            codex.close();
            assertThrows(TransportClosedException.class, () -> turn.events().iterator().next());
        }
    }

    // ---------------------------------------------------------------- 9: noise and unclear messages

    @Test
    void badLinesAreLoggedRateLimitedWithASummary() {
        FakeAppServer.Script script = FakeAppServer.script().afterInitialize(badLines(5_000));
        try (Captured log = new Captured("dev.codex4j.internal.runtime.Dispatcher");
                FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            await().atMost(WAIT).until(() -> codex.session().connection().stats().badLines() == 5_000);
            assertTrue(log.records.size() <= 10, log.records.size() + " lines for 5,000 bad lines");
            assertEquals(Optional.of("ok"), codex.startThread().run("q").finalResponse(), "and turns go on");
        }
    }

    private static ScriptStep[] badLines(int n) {
        ScriptStep[] steps = new ScriptStep[n];
        for (int i = 0; i < n; i++) {
            steps[i] = ScriptStep.raw("not json " + i);
        }
        return steps;
    }

    @Test
    void anApprovalHandlerThatThrowsIsLoggedAtWarning() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.commandApproval("ls"),
                ScriptStep.simpleTurn("done"));
        try (Captured log = new Captured("dev.codex4j.ApprovalHandler");
                FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().approvalHandler(r -> {
                    throw new IllegalStateException("reviewer is down");
                }))) {
            codex.startThread().run("q");
            assertTrue(log.records.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.WARNING
                    && r.getMessage().contains("item/commandExecution/requestApproval")
                    && r.getMessage().contains("reviewer is down")), log.records.toString());
        }
    }

    @Test
    void aMissingCwdIsNamedAsSuch(@TempDir Path dir) {
        Path gone = dir.resolve("gone");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codex.builder().codexPath(Path.of("/bin/cat")).cwd(gone).build());
        assertTrue(e.getMessage().contains(gone.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aMissingThreadOrTurnCwdIsRefusedBeforeAnythingIsSent(@TempDir Path dir) {
        Path gone = dir.resolve("gone");
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(FakeAppServer.script());
                Codex codex = Codex.builder().launch(proc.launch()).build()) {
            assertThrows(IllegalArgumentException.class, () -> codex.startThread(ThreadOptions.builder().cwd(gone).build()));
            CodexThread thread = codex.startThread();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> thread.run("q", TurnOptions.builder().cwd(gone).build()));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            assertEquals(Optional.of("ok"), thread.run("q").finalResponse());
        }
    }

    @Test
    void aPromptWithALoneSurrogateIsRefusedNotSentAsAQuestionMark() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inputs.text("ab\uD800c"));
        assertTrue(e.getMessage().contains("index 2"), e.getMessage());
        assertEquals("😀", Inputs.text("😀").text(), "pairs are fine");
    }

    @Test
    void aBuiltTextInputWithALoneSurrogateIsRefusedBeforeAnythingIsSent() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script()); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            UserInput bad = UserInput.Text.builder().text("x\uDC00").build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> thread.run(List.of(bad)));
            assertTrue(e.getMessage().contains("index 1"), e.getMessage());
            assertEquals(0, fake.requests("turn/start").size(), "nothing was sent");
        }
    }

    @Test
    void buildAgainstASilentServerIsBoundedByTheHandshakeTimeout() {
        FakeAppServer.Script script = FakeAppServer.script().neverAnswer("initialize");
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(script)) {
            long start = System.nanoTime();
            RequestTimeoutException e = assertThrows(RequestTimeoutException.class, () -> Codex.builder()
                    .launch(proc.launch()).handshakeTimeout(Duration.ofMillis(500)).build());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("initialize", e.method());
            assertTrue(ms < 3_000, "build() took " + ms + " ms against a silent server");
        }
    }

    // ---------------------------------------------------------------- 10 and watchdog

    @Test
    void aTurnWithoutCredentialsFailsAtOnce() {
        ObjectNode account = dev.codex4j.protocol.ProtocolCodec.emptyObject();
        account.putNull("account");
        account.put("requiresOpenaiAuth", true);
        FakeAppServer.Script script = FakeAppServer.script().onRequest("account/read", ScriptStep.respond(account));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            AuthenticationRequiredException e = assertThrows(AuthenticationRequiredException.class, () -> thread.run("q"));
            assertTrue(e.getMessage().contains("requiresOpenaiAuth"), e.getMessage());
            assertEquals(0, fake.requests("turn/start").size(), "nothing was sent");
        }
    }

    @Test
    void theWatchdogSettlesATurnWhoseTurnCompletedWasLost() {
        AtomicReference<String> turnId = new AtomicReference<>();
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("turn/start", (req, out) -> {
                    turnId.set(out.var("turnId"));
                    out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                    // the turn's items arrive, its turn/completed never does
                    out.send(AppServerMessages.agentMessageCompleted(out.var("threadId"), out.var("turnId"), "m1",
                            "the answer", "final_answer"));
                })
                .onRequest("thread/read", (req, out) -> {
                    ObjectNode r = dev.codex4j.protocol.ProtocolCodec.emptyObject();
                    ObjectNode thread = AppServerMessages.thread(req.params().path("threadId").asString(), "/w");
                    thread.putArray("turns").add(AppServerMessages.turn(turnId.get(), "completed"));
                    r.set("thread", thread);
                    out.respond(r);
                });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().turnWatchdog(Duration.ofMillis(300)))) {
            RunResult r = codex.startThread().run("q");
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertEquals(Optional.of("the answer"), r.finalResponse());
            JsonNode read = fake.requests("thread/read").getFirst();
            assertTrue(read.path("params").path("includeTurns").asBoolean());
        }
    }
}
