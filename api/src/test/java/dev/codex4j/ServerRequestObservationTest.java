package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every way a server request can be answered reports exactly one received/answered pair to the
 * {@link CodexEventListener} and one {@code dev.codex4j.ServerRequest} flight-recorder event: a
 * handler, the inbox, a tool, the default refusal, a timeout, a cancellation and the client's close.
 */
class ServerRequestObservationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String APPROVAL = "item/commandExecution/requestApproval";

    @TempDir
    Path dir;

    /** What the listener and the recorder saw. */
    record Seen(List<String> listener, List<String> jfr) {}

    /** Writes each server-request callback as one line. */
    static final class Recorder implements CodexEventListener {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void serverRequestReceived(ApprovalRequest request) {
            lines.add("received " + request.method());
        }

        @Override
        public void serverRequestAnswered(ServerRequestAnswered e) {
            lines.add("answered " + e.request().method() + " " + e.decision());
        }
    }

    private static ObjectNode approval(FakeAppServer.Responder out) {
        ObjectNode p = AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                "rm -rf /", "dangerous");
        p.set("availableDecisions", ProtocolCodec.mapper().readTree("[\"accept\",\"cancel\"]"));
        return p;
    }

    /** A turn that asks one command approval and ends once it got the reply (or after WAIT). */
    private static FakeAppServer.Script approvalThenTurnEnds() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.serverRequest(APPROVAL, approval(out), WAIT);
            out.run(ScriptStep.simpleTurn("done"));
        });
    }

    /**
     * Runs {@code body} against the fake with a recorder and a flight recording, and returns what
     * both saw once the client closed and the listener reported an answer.
     */
    private Seen observe(FakeAppServer.Script script, UnaryOperator<CodexBuilder> config, Consumer<Codex> body)
            throws Exception {
        Recorder rec = new Recorder();
        Path file = dir.resolve("r.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.codex4j.ServerRequest");
            recording.start();
            try (FakeAppServer fake = FakeAppServer.inProcess(script);
                    Codex codex = config.apply(Codex.builder().eventListener(rec)
                            .streams(fake.clientInput(), fake.clientOutput())).build()) {
                body.accept(codex);
            }
            await().atMost(WAIT).until(() -> rec.lines.stream().anyMatch(l -> l.startsWith("answered")));
            recording.stop();
            recording.dump(file);
        }
        List<String> jfr = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.codex4j.ServerRequest"))
                .map((RecordedEvent e) -> e.getString("method") + " " + e.getString("decision")).toList();
        return new Seen(List.copyOf(rec.lines), jfr);
    }

    private static void assertOnePair(Seen seen, String method, String decision) {
        assertEquals(List.of("received " + method, "answered " + method + " " + decision), seen.listener());
        assertEquals(List.of(method + " " + decision), seen.jfr());
    }

    @Test
    void anApprovalAnsweredByTheHandlerIsReportedOnce() throws Exception {
        Seen seen = observe(approvalThenTurnEnds(), b -> b.approvalHandler(r -> Decision.accept()),
                codex -> codex.startThread().run("q"));
        assertOnePair(seen, APPROVAL, "accept");
    }

    @Test
    void theDefaultRefusalIsReportedOnce() throws Exception {
        Seen seen = observe(approvalThenTurnEnds(), b -> b, codex -> codex.startThread().run("q"));
        assertOnePair(seen, APPROVAL, "cancel");
    }

    @Test
    void anApprovalAnsweredThroughTheInboxIsReportedOnce() throws Exception {
        ApprovalInbox inbox = ApprovalInbox.create();
        Seen seen = observe(approvalThenTurnEnds(), b -> b.approvalInbox(inbox), codex -> {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
            inbox.poll(WAIT).orElseThrow().resolve(Decision.accept());
            run.join();
        });
        assertOnePair(seen, APPROVAL, "accept");
    }

    @Test
    void anInboxApprovalThatNobodyAnswersIsReportedOnceAtItsDeadline() throws Exception {
        ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMillis(200));
        Seen seen = observe(approvalThenTurnEnds(), b -> b.approvalInbox(inbox), codex -> codex.startThread().run("q"));
        assertOnePair(seen, APPROVAL, "cancel");
    }

    @Test
    void aHandlerThatTimesOutIsReportedOnce() throws Exception {
        ApprovalHandler slow = r -> {
            Thread.sleep(WAIT.toMillis());
            return Decision.accept();
        };
        Seen seen = observe(approvalThenTurnEnds(), b -> b.approvalHandler(slow.withTimeout(Duration.ofMillis(100))),
                codex -> codex.startThread().run("q"));
        assertOnePair(seen, APPROVAL, "cancel");
    }

    @Test
    void anInboxApprovalTheServerCancelsIsReportedOnce() throws Exception {
        CountDownLatch listed = new CountDownLatch(1);
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.serverRequestNoWait(APPROVAL, approval(out)));
            JsonNode id = ProtocolCodec.mapper().getNodeFactory().numberNode(Long.parseLong(out.var("serverRequestId")));
            try {
                listed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.send(AppServerMessages.serverRequestResolved(out.var("threadId"), id));
            out.run(ScriptStep.delay(Duration.ofMillis(100)), ScriptStep.simpleTurn("done"));
        });
        ApprovalInbox inbox = ApprovalInbox.create();
        Seen seen = observe(script, b -> b.approvalInbox(inbox), codex -> {
            TurnHandle turn = codex.startThread().turn("q");
            PendingApproval p = inbox.poll(WAIT).orElseThrow();
            listed.countDown();
            await().atMost(WAIT).until(() -> p.state() == PendingApproval.State.CANCELLED);
            turn.run();
        });
        assertOnePair(seen, APPROVAL, "cancel");
    }

    @Test
    void aRequestWhoseHandlerIsStillWaitingWhenTheClientClosesIsReportedOnce() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        ApprovalHandler blocking = r -> {
            asked.countDown();
            new CountDownLatch(1).await();
            return Decision.accept();
        };
        Seen seen = observe(approvalThenTurnEnds(), b -> b.approvalHandler(blocking), codex -> {
            codex.startThread().turn("q");
            try {
                asked.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertOnePair(seen, APPROVAL, "interrupted");
    }

    record Query(String id) {}

    @Test
    void aToolCallIsReportedOnceAsAServerRequest() throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode params = ProtocolCodec.mapper().readTree("""
                    {"threadId":"%s","turnId":"%s","callId":"c1","tool":"echo","arguments":{"id":"x"}}"""
                    .formatted(out.var("threadId"), out.var("turnId")));
            out.serverRequest("item/tool/call", params, WAIT);
            out.run(ScriptStep.simpleTurn("done"));
        });
        Tool echo = Tool.of("echo", "Echoes", Query.class, Query::id);
        Seen seen = observe(script, b -> b.experimentalApi(true),
                codex -> codex.startThread(ThreadOptions.builder().tool(echo).build()).run("q"));
        assertOnePair(seen, "item/tool/call", "success");
    }
}
