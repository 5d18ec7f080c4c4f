package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.errors.TurnTimeoutException;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.CodexErrorInfo;
import dev.codex4j.protocol.types.CommandExecutionStatus;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.protocol.types.UserInput;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The public API against the real Codex CLI and testkit's mock model. */
class CodexIT {
    private OfflineCodex offline;
    private Codex codex;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        codex = Codex.builder().launch(offline.launch()).build();
    }

    @AfterEach
    void stop() {
        if (codex != null) {
            codex.close();
        }
        offline.close();
    }

    @Test
    void metadataComesFromInitializeWithoutAServerName() {
        assertTrue(codex.metadata().userAgent().startsWith("codex4j/"), codex.metadata().userAgent());
        assertFalse(codex.metadata().codexHome().isEmpty());
    }

    @Test
    void finalAnswerWinsOverCommentary() {
        offline.server().enqueue(ModelReply.commentary("thinking out loud").thenMessage("the answer"));
        RunResult r = codex.startThread().run("q");
        assertEquals(Optional.of("the answer"), r.finalResponse());
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertEquals(List.of("thinking out loud", "the answer"), r.agentMessages());
    }

    @Test
    void commentaryAloneIsNoFinalResponse() {
        offline.server().enqueue(ModelReply.commentary("just commentary"));
        assertEquals(Optional.empty(), codex.startThread().run("q").finalResponse());
    }

    @Test
    void lastUnphasedMessageIsTheAnswerWhenNoFinalAnswer() {
        offline.server().enqueue(ModelReply.message("first", null).then(ModelReply.message("second", null)));
        assertEquals(Optional.of("second"), codex.startThread().run("q").finalResponse());
    }

    @Test
    void streamedDeltasConcatenateToTheFinalText() {
        offline.server().enqueue(ModelReply.message("one two three four five six", Phase.FINAL_ANSWER).deltas(6));
        StringBuilder streamed = new StringBuilder();
        RunResult result;
        try (TurnEventStream events = codex.startThread().turn("q").events()) {
            TurnEvent last = null;
            for (TurnEvent e : events) {
                if (e instanceof TurnEvent.AgentMessageDelta d) {
                    streamed.append(d.delta());
                }
                last = e;
            }
            result = assertInstanceOf(TurnEvent.Completed.class, last).result();
        }
        assertEquals("one two three four five six", streamed.toString());
        assertEquals(Optional.of(streamed.toString()), result.finalResponse());
        assertTrue(result.usage().isPresent(), "usage reported");
    }

    @Test
    void secondTurnWhileOneRunsSaysToSteer() {
        offline.server().enqueue(ModelReply.longMessage(2_000).eventDelay(Duration.ofMillis(2)));
        CodexThread thread = codex.startThread();
        TurnHandle turn = thread.turn("long");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> thread.turn("another"));
        assertTrue(e.getMessage().contains("steer"), e.getMessage());
        turn.interrupt();
        turn.run();
    }

    @Test
    void steerAddsInputToTheRunningTurn() {
        offline.server().defaultReply(req -> req.lastUserText().contains("steered")
                ? ModelReply.message("saw the steer") : ModelReply.longMessage(200).eventDelay(Duration.ofMillis(5)));
        TurnHandle turn = codex.startThread().turn("start");
        turn.steer("steered input");
        RunResult r = turn.run();
        assertEquals(TurnStatus.COMPLETED, r.status());
        assertTrue(offline.server().requests().stream().anyMatch(q -> q.userTexts().contains("steered input")),
                "the model saw the steered input");
    }

    @Test
    void anInterruptRightAfterTurnIsNeverLost() {
        for (int i = 0; i < 3; i++) {
            offline.server().enqueue(ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(2)));
            TurnHandle turn = codex.startThread().turn("q");
            turn.interrupt(); // before the server has registered the turn as active
            RunResult r = turn.run();
            assertEquals(TurnStatus.INTERRUPTED, r.status(), "attempt " + i);
        }
    }

    @Test
    void cancellingRunAsyncStopsTheTurnOnTheServer() throws Exception {
        offline.server().enqueue(ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(2)));
        CodexThread thread = codex.startThread();
        TurnHandle turn = thread.turn("q");
        CompletableFuture<RunResult> f = turn.runAsync();
        f.cancel(true);
        await().atMost(Duration.ofSeconds(20)).until(turn::isCompleted);
        assertEquals(TurnStatus.INTERRUPTED, turn.run().status());
    }

    @Test
    void interruptedTurnReturnsNormallyWithStatusInterrupted() {
        offline.server().enqueue(ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(2)));
        TurnHandle turn = codex.startThread().turn("long");
        await().atMost(Duration.ofSeconds(10)).until(() -> offline.server().requestCount() >= 1);
        turn.interrupt();
        RunResult r = turn.run();
        assertEquals(TurnStatus.INTERRUPTED, r.status());
        assertTrue(r.items(ThreadItem.AgentMessage.class).isEmpty(), "the unfinished message is not a completed item");
    }

    @Test
    void modelHttp500BecomesTurnFailedException() {
        offline.server().enqueue(ModelReply.httpError(500));
        TurnFailedException e = assertThrows(TurnFailedException.class, () -> codex.startThread().run("q"));
        assertEquals(TurnStatus.FAILED, e.result(RunResult.class).status());
        assertEquals(CodexErrorInfo.INTERNAL_SERVER_ERROR, e.error().codexErrorInfo());
        assertEquals(Optional.of("internalServerError"), e.codexErrorInfoName());
        assertFalse(e.error().message().isEmpty());
    }

    record Verdict(String verdict, int score, List<String> issues) {}

    @Test
    void structuredOutputRoundTrip() {
        offline.server().enqueue(ModelReply.message("{\"verdict\":\"ok\",\"score\":7,\"issues\":[\"a\",\"b\"]}"));
        Verdict v = codex.startThread().run("review", Verdict.class);
        assertEquals(new Verdict("ok", 7, List.of("a", "b")), v);
        var body = offline.server().requests().getLast().body();
        assertEquals("object", body.at("/text/format/schema/type").asString(""), body.path("text").toString());
    }

    @Test
    void structuredOutputThatDoesNotParseIsAClearError() {
        offline.server().enqueue(ModelReply.message("not json"));
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> codex.startThread().run("review", Verdict.class));
        assertEquals("not json", e.answer());
    }

    @Test
    void forkCopiesTheHistoryIntoANewThread() {
        offline.server().enqueue(ModelReply.message("remembered"), ModelReply.message("from the fork"));
        CodexThread thread = codex.startThread();
        thread.run("remember the word kestrel");
        CodexThread fork = codex.forkThread(thread.id());
        assertNotEquals(thread.id(), fork.id());
        fork.run("what was the word?");
        assertTrue(offline.server().requests().getLast().userTexts().contains("remember the word kestrel"),
                "the fork's model request carries the earlier conversation");
    }

    @Test
    void resumeInANewProcessCarriesTheConversation() {
        offline.server().enqueue(ModelReply.message("noted"), ModelReply.message("heron"));
        CodexThread thread = codex.startThread();
        thread.run("the codeword is heron");
        codex.close();
        try (Codex second = Codex.builder().launch(offline.launch()).build()) {
            CodexThread resumed = second.resumeThread(thread.id());
            assertEquals(Optional.of("heron"), resumed.run("codeword?").finalResponse());
        }
        assertTrue(offline.server().requests().getLast().userTexts().contains("the codeword is heron"));
    }

    @Test
    void resumingAnUnknownThreadIsATypedRpcError() {
        CodexRpcException e = assertThrows(CodexRpcException.class,
                () -> codex.resumeThread("00000000-0000-0000-0000-000000000000"));
        assertEquals(-32600, e.code());
    }

    @Test
    void fiftyThreadsRunConcurrentlyOverOneConnection() throws Exception {
        offline.server().defaultReply(req -> ModelReply.message("re: " + req.lastUserText()));
        List<Future<RunResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                int k = i;
                futures.add(pool.submit(() -> codex.startThread().run("q" + k)));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(Optional.of("re: q" + i), futures.get(i).get(120, TimeUnit.SECONDS).finalResponse());
            }
        }
    }

    @Test
    void closeDuringRunningTurnsFailsThemPromptlyAndLeavesNoProcess() throws Exception {
        offline.server().defaultReply(req -> ModelReply.longMessage(100_000).eventDelay(Duration.ofMillis(5)));
        List<CompletableFuture<RunResult>> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(codex.startThread().turn("long " + i).runAsync());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> offline.server().requestCount() >= 3);
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        long t0 = System.nanoTime();
        codex.close();
        for (CompletableFuture<RunResult> f : running) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(2, TimeUnit.SECONDS));
            assertInstanceOf(TransportClosedException.class, e.getCause());
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(7).toNanos(), "bounded close");
        children.forEach(p -> assertFalse(p.isAlive(), "child " + p.pid() + " still alive"));
    }

    @Test
    void turnTimeoutInterruptsTheTurnAndThrows() {
        offline.server().enqueue(ModelReply.longMessage(100_000).eventDelay(Duration.ofMillis(5)));
        CodexThread thread = codex.startThread();
        TurnTimeoutException e = assertThrows(TurnTimeoutException.class,
                () -> thread.run("long", TurnOptions.builder().timeout(Duration.ofMillis(500)).build()));
        assertEquals(Duration.ofMillis(500), e.timeout());
        offline.server().enqueue(ModelReply.message("after the timeout"));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> thread.run("again").finalResponse().equals(Optional.of("after the timeout")));
    }

    @Test
    void closingATurnHandleEarlyInterruptsIt() {
        offline.server().enqueue(ModelReply.longMessage(100_000).eventDelay(Duration.ofMillis(5)),
                ModelReply.message("next"));
        CodexThread thread = codex.startThread();
        try (TurnHandle turn = thread.turn("long")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> offline.server().requestCount() >= 1);
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> thread.run("again").finalResponse().equals(Optional.of("next")));
    }

    @Test
    void aTurnNobodyConsumedFreesItsThreadOnceItEnded() {
        offline.server().enqueue(ModelReply.message("first"), ModelReply.message("second"));
        CodexThread thread = codex.startThread();
        TurnHandle first = thread.turn("one");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> thread.run("two").finalResponse().equals(Optional.of("second")));
        assertEquals(Optional.of("first"), first.run().finalResponse(), "its events were kept");
    }

    @Test
    void closeLeavesNoSdkThread() {
        offline.server().enqueue(ModelReply.message("x"));
        codex.startThread().run("q");
        codex.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("codex4j")));
    }

    @Test
    void typedRequestsUseTheGeneratedProtocol() {
        var models = codex.request(ClientMethods.MODEL_LIST, null);
        assertEquals("mock-model", models.data().getFirst().id());
        assertEquals(models.data(), codex.models());
        offline.server().enqueue(ModelReply.message("typed"));
        RunResult r = codex.startThread().run("q");
        assertEquals(List.of("typed"), r.items(ThreadItem.AgentMessage.class).stream().map(ThreadItem.AgentMessage::text).toList());
        assertTrue(r.usage().orElseThrow().last().totalTokens() > 0, r.usage().toString());
    }

    // A 1x1 PNG.
    private static final String PNG = "data:image/png;base64,"
            + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    @Test
    void typedItemsCarryWhatTheServerSentForACommandAndAnImage() {
        offline.server().defaultReply(req -> req.isToolFollowUp() ? ModelReply.message("ran it")
                : ModelReply.execCommand("echo typed-items"));
        RunResult r = codex.startThread().run(List.of(Inputs.text("look, then run it"), Inputs.image(PNG)));

        ThreadItem.UserMessage user = r.items(ThreadItem.UserMessage.class).getFirst();
        UserInput.Image image = user.content().stream().filter(UserInput.Image.class::isInstance)
                .map(UserInput.Image.class::cast).findFirst().orElseThrow(() -> new AssertionError(user.toString()));
        assertEquals(PNG, image.url(), "the image input kept its url through turn/start");
        ThreadItem.CommandExecution c = r.items(ThreadItem.CommandExecution.class).getFirst();
        assertTrue(c.command().contains("echo typed-items"), c.command());
        assertEquals(0L, c.exitCode());
        assertTrue(c.aggregatedOutput() != null && c.aggregatedOutput().contains("typed-items"), c.toString());
        assertEquals(CommandExecutionStatus.COMPLETED, c.status());
        assertFalse(c.cwd().isEmpty());
        assertTrue(r.items().stream().noneMatch(i -> i instanceof ThreadItem.Unknown), r.items().toString());
        assertEquals(Optional.of("ran it"), r.finalResponse());
    }

    @Test
    void threadInfoAndReadAreTyped() {
        offline.server().enqueue(ModelReply.message("first answer"));
        CodexThread thread = codex.startThread();
        assertEquals(thread.id(), thread.info().id());
        assertEquals(offline.workDir().toString(), thread.info().cwd());
        thread.run("first question");
        var turns = thread.read(true).thread().turns();
        assertEquals(1, turns.size());
        assertEquals(TurnStatus.COMPLETED, turns.getFirst().status());
        assertTrue(codex.listThreads().data().stream().anyMatch(t -> t.id().equals(thread.id())));
        assertTrue(codex.metadata().userAgent().startsWith("codex4j/"), codex.metadata().userAgent());
    }
}
