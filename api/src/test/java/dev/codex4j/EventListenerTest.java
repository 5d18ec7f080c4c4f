package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.protocol.types.InitializeResponse;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link CodexEventListener} against the scripted fake app-server. */
class EventListenerTest {

    /** Writes each callback as one line, in the order they came. */
    static final class Recorder implements CodexEventListener {
        final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<RunResult> completed = new ConcurrentLinkedQueue<>();
        volatile @Nullable TransportClosedException closed;

        boolean has(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }

        @Override public void connectionOpened(ConnectionOpened e) { lines.add("opened " + e.server().userAgent()); }
        @Override public void connectionClosed(TransportClosedException reason) { closed = reason; lines.add("closed"); }
        @Override public void requestStarted(RequestStarted e) { lines.add("started " + e.method()); }
        @Override public void requestEnded(RequestEnded e) { lines.add("ended " + e.method() + (e.latency().isNegative() ? " NEGATIVE" : "")); }
        @Override public void requestFailed(RequestFailed e) { lines.add("failed " + e.method() + " " + e.error().getClass().getSimpleName()); }
        @Override public void requestRetried(RequestRetried e) { lines.add("retried " + e.method() + " " + e.retry()); }
        @Override public void turnStarted(TurnStarted e) { lines.add("turnStarted " + e.turnId()); }
        @Override public void turnCompleted(TurnCompleted e) { completed.add(e.result()); lines.add("turnCompleted " + e.result().turnId() + " " + e.result().status().value()); }
        @Override public void serverRequestReceived(ApprovalRequest request) { lines.add("serverRequest " + request.method()); }
        @Override public void serverRequestAnswered(ServerRequestAnswered e) { lines.add("answered " + e.request().method() + " " + e.decision()); }
        @Override public void messageDropped(MessageDropped e) { lines.add("dropped " + e.turnId() + " " + e.method()); }
        @Override public void turnDiscarded(TurnDiscarded e) { lines.add("discarded " + e.turnId() + " " + e.reason()); }
    }

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    @Test
    void aTurnIsReportedFromRequestToCompletionWithItsUsage() {
        Recorder rec = new Recorder();
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder().eventListener(rec))) {
            RunResult r = codex.startThread().run("q");
            assertEquals(TurnStatus.COMPLETED, r.status());
            List<String> seen = List.copyOf(rec.lines);
            assertTrue(seen.indexOf("ended turn/start") < seen.indexOf("turnStarted " + r.turnId()), seen.toString());
            assertTrue(seen.contains("turnCompleted " + r.turnId() + " completed"), seen.toString());
            assertTrue(seen.contains("ended initialize") && seen.contains("ended thread/start"), seen.toString());
            RunResult reported = rec.completed.peek();
            assertEquals(r.usage(), reported.usage());
            assertTrue(reported.usage().isPresent(), "the fake's turn reports token usage");
        }
    }

    @Test
    void retriesAndFailuresAreReportedWithTheirMethod() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", 1, ScriptStep.overloaded())
                .neverAnswer("thread/list");
        Recorder rec = new Recorder();
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().eventListener(rec).requestTimeout(Duration.ofMillis(300))
                        .overloadRetry(3, Duration.ofMillis(5), Duration.ofMillis(10)))) {
            codex.startThread();
            assertThrows(RequestTimeoutException.class, codex::listThreads);
            assertTrue(rec.lines.contains("retried thread/start 1"), rec.lines.toString());
            assertTrue(rec.lines.contains("ended thread/start"), rec.lines.toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.lines.contains("failed thread/list RequestTimeoutException"));
        }
    }

    @Test
    void aServerRequestIsReportedWithTheDecisionSent() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.commandApproval("rm -rf /"),
                ScriptStep.simpleTurn("done"));
        Recorder rec = new Recorder();
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder().eventListener(rec))) {
            codex.startThread().run("q");
            assertTrue(rec.lines.contains("serverRequest item/commandExecution/requestApproval"), rec.lines.toString());
            assertTrue(rec.lines.contains("answered item/commandExecution/requestApproval decline"), rec.lines.toString());
        }
    }

    @Test
    void aServerThatExitsIsReportedWithItsExitCodeAndStderr() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("thread/start", ScriptStep.stderr("fatal: boom"),
                ScriptStep.exit(3));
        Recorder rec = new Recorder();
        try (FakeAppServerProcess proc = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(proc.launch()).eventListener(rec).build()) {
            assertTrue(rec.has("opened "), rec.lines.toString());
            assertThrows(TransportClosedException.class, codex::startThread);
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.closed != null);
            assertEquals(3, rec.closed.exitCode().orElse(-1));
            assertTrue(rec.closed.stderrTail().contains("fatal: boom"), rec.closed.stderrTail());
        }
    }

    @Test
    void heldMessagesOverTheirBoundsAreReportedAsDroppedAndDiscarded() {
        String first = AppServerMessages.turnStarted("thread-nobody", "ghost1").toString();
        String second = AppServerMessages.turnStarted("thread-nobody", "ghost2").toString();
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("test/ghosts", ScriptStep.raw(first), ScriptStep.raw(second), ScriptStep.respondEmpty());
        Recorder rec = new Recorder();
        ConnectionOptions options = ConnectionOptions.builder().maxHeldTurns(1).heldMessageTtl(Duration.ofMillis(100)).build();
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().connectionOptions(options).eventListener(rec))) {
            codex.request("test/ghosts", ProtocolCodec.emptyObject());
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.lines.contains("dropped ghost2 turn/started"));
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.has("discarded ghost1 nobody claimed it within heldMessageTtl"));
        }
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheClient() {
        AtomicInteger calls = new AtomicInteger();
        CodexEventListener bad = new CodexEventListener() {
            @Override public void requestStarted(RequestStarted e) { calls.incrementAndGet(); throw new IllegalStateException("bug"); }
            @Override public void requestEnded(RequestEnded e) { throw new IllegalStateException("bug"); }
            @Override public void turnStarted(TurnStarted e) { throw new IllegalStateException("bug"); }
            @Override public void turnCompleted(TurnCompleted e) { throw new IllegalStateException("bug"); }
        };
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("still fine"));
                Codex codex = connect(fake, Codex.builder().eventListener(bad))) {
            assertEquals("still fine", codex.startThread().run("q").finalResponse().orElseThrow());
            assertTrue(calls.get() >= 3, "initialize, thread/start, turn/start: " + calls.get());
        }
    }

    @Test
    void severalListenersEachGetEveryCallbackInOrderAndOneThatThrowsKeepsNoneFromIt() {
        CodexEventListener bad = new CodexEventListener() {
            @Override public void requestStarted(RequestStarted e) { throw new IllegalStateException("bug"); }
            @Override public void requestEnded(RequestEnded e) { throw new IllegalStateException("bug"); }
            @Override public void turnCompleted(TurnCompleted e) { throw new IllegalStateException("bug"); }
        };
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder().eventListener(first).eventListener(bad).eventListener(second))) {
            RunResult r = codex.startThread().run("q");
            for (Recorder rec : List.of(first, second)) {
                List<String> seen = List.copyOf(rec.lines);
                assertTrue(seen.contains("ended turn/start"), seen.toString());
                assertTrue(seen.contains("turnCompleted " + r.turnId() + " completed"), seen.toString());
            }
            assertEquals(List.copyOf(first.lines), List.copyOf(second.lines), "the same callbacks, in the same order");
        }
    }

    @Test
    void aClosedClientReportsItsOwnClose() {
        Recorder rec = new Recorder();
        FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
        try (fake) {
            connect(fake, Codex.builder().eventListener(rec)).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.closed != null);
            assertInstanceOf(TransportClosedException.class, rec.closed);
        }
    }

    @Test
    void aListenerCallbackThatBlocksTheDispatcherIsReportedOnceByName() {
        CodexEventListener slow = new CodexEventListener() {
            @Override
            public void requestEnded(RequestEnded e) {
                if (e.method().equals("thread/start")) {
                    try {
                        Thread.sleep(300); // on the dispatcher: every message of the client waits
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (ApprovalsTest.Captured log = new ApprovalsTest.Captured(CodexEventListener.class.getName());
                ApprovalsTest.Captured runtimeLog = new ApprovalsTest.Captured(
                        "dev.codex4j.internal.runtime.SlowCallbacks");
                FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script());
                Codex codex = connect(fake, Codex.builder().eventListener(slow))) {
            codex.startThread();
            codex.startThread();
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.records.isEmpty());
            List<java.util.logging.LogRecord> warnings = log.records.stream()
                    .filter(r -> r.getLevel() == java.util.logging.Level.WARNING).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).getMessage().contains("requestEnded"), warnings.get(0).getMessage());
            assertEquals(List.of(), runtimeLog.records, "reported once: the runtime does not time the listener again");
        }
    }
}
