package dev.codex4j.opentelemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.CodexEventListener;
import dev.codex4j.Decision;
import dev.codex4j.ThreadOptions;
import dev.codex4j.Tool;
import dev.codex4j.RunResult;
import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@link CodexTelemetry} against the scripted fake app-server, with the OpenTelemetry SDK and an in-memory exporter. */
class CodexTelemetryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final Tracer app = otel.getTracer("the-application");

    @AfterEach
    void shutDown() {
        otel.close();
    }

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    private SpanData span(String name) {
        await().atMost(WAIT).until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals(name)));
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    /** The {@code trace.traceparent} of the one request of this method the fake received. */
    private static String traceparentOf(FakeAppServer fake, String method) {
        List<JsonNode> requests = fake.requests(method);
        assertEquals(1, requests.size(), method + ": " + requests);
        JsonNode tp = requests.get(0).path("trace").path("traceparent");
        assertTrue(tp.isString(), method + " carries no trace: " + requests.get(0));
        return tp.asString();
    }

    @Test
    void aTurnIsOneTraceFromTheApplicationsSpanThroughTheTurnToItsRequestsOnTheWire() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder()
                        .eventListener(CodexTelemetry.create(otel).eventListener()))) {
            Span root = app.spanBuilder("handle-request").startSpan();
            RunResult r;
            String threadId;
            try (Scope s = root.makeCurrent()) {
                var thread = codex.startThread();
                threadId = thread.id();
                r = thread.run("q");
            } finally {
                root.end();
            }
            String traceId = root.getSpanContext().getTraceId();

            SpanData turn = span("invoke_agent codex");
            assertEquals(traceId, turn.getTraceId());
            assertEquals(root.getSpanContext().getSpanId(), turn.getParentSpanId(), "the turn is the application span's child");
            assertEquals(SpanKind.CLIENT, turn.getKind());
            assertEquals("invoke_agent", turn.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
            assertEquals(threadId, turn.getAttributes().get(AttributeKey.stringKey("gen_ai.conversation.id")));
            assertEquals(r.turnId(), turn.getAttributes().get(AttributeKey.stringKey("codex.turn.id")));
            assertEquals("completed", turn.getAttributes().get(AttributeKey.stringKey("codex.turn.status")));
            long input = r.turnUsage().orElseThrow().inputTokens();
            assertEquals(input, turn.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
            assertEquals(r.turnUsage().orElseThrow().outputTokens(),
                    turn.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));

            SpanData turnStart = span("turn/start");
            assertEquals(turn.getSpanId(), turnStart.getParentSpanId(), "turn/start is sent inside the turn's span");
            assertEquals(SpanKind.CLIENT, turnStart.getKind());
            assertEquals("jsonrpc", turnStart.getAttributes().get(AttributeKey.stringKey("rpc.system")));
            assertTrue(traceparentOf(fake, "turn/start").startsWith("00-" + traceId + "-" + turnStart.getSpanId() + "-"),
                    "the server's side of turn/start is the child of the SDK's turn/start span, in the same trace");

            SpanData threadStart = span("thread/start");
            assertEquals(root.getSpanContext().getSpanId(), threadStart.getParentSpanId());
            assertTrue(traceparentOf(fake, "thread/start").startsWith("00-" + traceId + "-" + threadStart.getSpanId() + "-"));
            // initialize ran before the application's span: a trace of its own, still on the wire
            SpanData initialize = span("initialize");
            assertFalse(initialize.getParentSpanContext().isValid());
            assertTrue(traceparentOf(fake, "initialize").contains(initialize.getTraceId()));
        }
    }

    @Test
    void withoutTelemetryNoRequestCarriesATrace() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder().eventListener(new CodexEventListener() {}))) {
            Span root = app.spanBuilder("handle-request").startSpan();
            try (Scope s = root.makeCurrent()) {
                codex.startThread().run("q");
            } finally {
                root.end();
            }
            List<JsonNode> received = fake.received();
            assertTrue(received.stream().anyMatch(m -> "turn/start".equals(m.path("method").asString(""))));
            assertTrue(received.stream().noneMatch(m -> m.has("trace")), received.toString());
        }
    }

    @Test
    void aFailedRequestIsAnErrorSpanAndAFailedTurnStartEndsTheTurnSpan() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", ScriptStep.error(-32600, "no turn for you"));
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().eventListener(CodexTelemetry.create(otel).eventListener()))) {
            var thread = codex.startThread();
            assertThrows(CodexRpcException.class, () -> thread.run("q"));
            SpanData request = span("turn/start");
            assertEquals(StatusCode.ERROR, request.getStatus().getStatusCode());
            assertEquals(-32600L, request.getAttributes().get(AttributeKey.longKey("rpc.jsonrpc.error_code")));
            SpanData turn = span("invoke_agent codex");
            assertEquals(StatusCode.ERROR, turn.getStatus().getStatusCode());
            assertEquals(turn.getSpanId(), request.getParentSpanId());
        }
    }

    record Query(String id, int limit) {}

    @Test
    void aToolCallIsAnExecuteToolSpanInsideItsServerRequestInsideItsTurn() {
        AtomicInteger calls = new AtomicInteger();
        Tool echo = Tool.of("echo", "Echoes", Query.class, q -> q.id() + "/" + calls.incrementAndGet());
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode params = ProtocolCodec.mapper().readTree("""
                    {"threadId":"%s","turnId":"%s","callId":"c1","tool":"echo","arguments":{"id":"x","limit":1}}"""
                    .formatted(out.var("threadId"), out.var("turnId")));
            JsonNode reply = out.serverRequest("item/tool/call", params, WAIT);
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.path("result").toString()));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().experimentalApi(true)
                        .eventListener(CodexTelemetry.create(otel).eventListener()))) {
            codex.startThread(ThreadOptions.builder().tool(echo).build()).run("q");
            SpanData turn = span("invoke_agent codex");
            SpanData request = span("item/tool/call");
            SpanData tool = span("execute_tool echo");
            assertEquals(turn.getSpanId(), request.getParentSpanId(), "the server request is the turn's child");
            assertEquals(SpanKind.SERVER, request.getKind());
            assertEquals("ToolCall", request.getAttributes().get(AttributeKey.stringKey("codex.server_request.kind")));
            assertEquals("success", request.getAttributes().get(AttributeKey.stringKey("codex.server_request.decision")));
            assertNotNull(request.getAttributes().get(AttributeKey.longKey("codex.server_request.wait_ms")));
            assertEquals(request.getSpanId(), tool.getParentSpanId(), "the tool runs inside its server request");
            assertEquals("execute_tool", tool.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
            assertEquals("echo", tool.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.name")));
            assertEquals("c1", tool.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.call.id")));
            assertEquals(turn.getTraceId(), tool.getTraceId());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void anApprovalIsAServerSpanWithItsKindAndDecision() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.commandApproval("rm -rf /"));
            out.run(ScriptStep.simpleTurn("done"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder()
                        .eventListener(CodexTelemetry.create(otel).eventListener()))) {
            codex.startThread().run("q"); // no handler: refused
            SpanData turn = span("invoke_agent codex");
            SpanData approval = span("item/commandExecution/requestApproval");
            assertEquals(turn.getSpanId(), approval.getParentSpanId());
            assertEquals("Command", approval.getAttributes().get(AttributeKey.stringKey("codex.server_request.kind")));
            assertEquals("decline", approval.getAttributes().get(AttributeKey.stringKey("codex.server_request.decision")));
        }
    }

    @Test
    void aSpanMadeInsideAToolIsTheChildOfTheToolSpan() {
        Tool lookup = Tool.of("lookup", "Looks up", Query.class, q -> {
            Span mine = app.spanBuilder("the tool's own work").startSpan(); // no parent given: the current one
            mine.end();
            return q.id();
        });
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode params = ProtocolCodec.mapper().readTree("""
                    {"threadId":"%s","turnId":"%s","callId":"c1","tool":"lookup","arguments":{"id":"x","limit":1}}"""
                    .formatted(out.var("threadId"), out.var("turnId")));
            JsonNode reply = out.serverRequest("item/tool/call", params, WAIT);
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.path("result").toString()));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().experimentalApi(true)
                        .eventListener(CodexTelemetry.create(otel).eventListener()))) {
            codex.startThread(ThreadOptions.builder().tool(lookup).build()).run("q");
            SpanData tool = span("execute_tool lookup");
            SpanData mine = span("the tool's own work");
            assertEquals(tool.getSpanId(), mine.getParentSpanId(), "the tool's span is current while it runs");
            assertEquals(tool.getTraceId(), mine.getTraceId());
            assertTrue(tool.getEndEpochNanos() >= mine.getEndEpochNanos(), "the tool span ends after the tool");
        }
        assertFalse(Span.current().getSpanContext().isValid(), "the caller's context is untouched");
    }

    @Test
    void aSpanMadeInsideAnApprovalHandlerIsTheChildOfTheServerRequestSpan() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.commandApproval("ls"));
            out.run(ScriptStep.simpleTurn("done"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder()
                        .eventListener(CodexTelemetry.create(otel).eventListener())
                        .approvalHandler(request -> {
                            Span mine = app.spanBuilder("the handler's own check").startSpan();
                            mine.end();
                            return Decision.accept();
                        }))) {
            codex.startThread().run("q");
            SpanData approval = span("item/commandExecution/requestApproval");
            SpanData mine = span("the handler's own check");
            assertEquals(approval.getSpanId(), mine.getParentSpanId(), "the request's span is current in the handler");
            assertEquals(approval.getTraceId(), mine.getTraceId());
            assertEquals("accept", approval.getAttributes().get(AttributeKey.stringKey("codex.server_request.decision")));
        }
    }

    @Test
    void withoutTelemetryAHandlersSpanHasNoCodexParent() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.commandApproval("ls"));
            out.run(ScriptStep.simpleTurn("done"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().approvalHandler(request -> {
                    Span mine = app.spanBuilder("the handler's own check").startSpan();
                    mine.end();
                    return Decision.accept();
                }))) {
            codex.startThread().run("q");
            SpanData mine = span("the handler's own check");
            assertFalse(mine.getParentSpanContext().isValid(), "a root span: " + mine);
            assertEquals(1, spans.getFinishedSpanItems().size(), spans.getFinishedSpanItems().toString());
        }
    }
}
