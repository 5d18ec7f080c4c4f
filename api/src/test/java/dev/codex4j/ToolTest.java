package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.DynamicToolSpec;
import dev.codex4j.protocol.types.ThreadStartParams;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tools without the CLI: their specs, their validation, and answers over the wire (FakeAppServer). */
class ToolTest {
    record Query(String id, int limit) {}

    private static final Tool ECHO = Tool.of("echo", "Echoes", Query.class, q -> q.id() + "/" + q.limit());

    @Test
    void threadStartSendsEachToolWithItsStrictSchema() {
        ThreadStartParams p = ThreadOptions.builder().tool(ECHO).build().startParams();
        DynamicToolSpec.Function f = (DynamicToolSpec.Function) p.dynamicTools().getFirst();
        assertEquals("echo", f.name());
        assertEquals("Echoes", f.description());
        assertEquals(RecordSchema.of(Query.class).schema(), f.inputSchema());
        assertEquals(null, ThreadOptions.defaults().startParams().dynamicTools(), "no tools: nothing sent");
    }

    @Test
    void twoToolsWithOneNameAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadOptions.builder().tool(ECHO).tool(ECHO).build());
        assertTrue(e.getMessage().contains("echo"), e.getMessage());
    }

    @Test
    void aNameTheModelCannotCallIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tool.of("look up", "d", Query.class, q -> ""));
    }

    static final class NotRecordParameter {
        @CodexTool(description = "d")
        public String bad(String s) {
            return s;
        }
    }

    static final class Nothing {}

    @Test
    void annotatedMethodsMustTakeOneRecord() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tool.from(new NotRecordParameter()));
        assertTrue(e.getMessage().contains("one record parameter"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tool.from(new Nothing()));
    }

    @Test
    void outputsCombineTextAndImagesAndFailIfAnyPartFailed() {
        ToolOutput o = ToolOutput.text("a").and(ToolOutput.image("data:image/png;base64,AAAA"));
        assertTrue(o.success());
        assertEquals(2, o.items().size());
        assertFalse(o.and(ToolOutput.error("x")).success());
        assertEquals("{\"contentItems\":[{\"type\":\"inputText\",\"text\":\"{\\\"id\\\":\\\"a\\\",\\\"limit\\\":1}\"}],\"success\":true}",
                ProtocolCodec.mapper().writeValueAsString(ToolOutput.json(new Query("a", 1)).response()));
    }

    // ---------------------------------------------------------------- over the wire

    /** A turn whose server calls a tool with these arguments and answers with the reply it got. */
    private static String replyTo(String tool, String arguments, Tool... tools) {
        return replyTo(new CodexEventListener() {}, tool, arguments, tools);
    }

    private static String replyTo(CodexEventListener listener, String tool, String arguments, Tool... tools) {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode params = ProtocolCodec.mapper().readTree("""
                    {"threadId":"%s","turnId":"%s","callId":"c1","tool":"%s","arguments":%s}"""
                    .formatted(out.var("threadId"), out.var("turnId"), tool, arguments));
            JsonNode reply = out.serverRequest("item/tool/call", params, Duration.ofSeconds(10));
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.path("result").toString()));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Codex.builder().experimentalApi(true).streams(fake.clientInput(), fake.clientOutput())
                        .eventListener(listener).build()) {
            return codex.startThread(ThreadOptions.builder().tools(List.of(tools)).build()).run("q")
                    .finalResponse().orElseThrow();
        }
    }

    @Test
    void aToolAnswersWithItsText() {
        assertEquals("{\"contentItems\":[{\"type\":\"inputText\",\"text\":\"x/3\"}],\"success\":true}",
                replyTo("echo", "{\"id\":\"x\",\"limit\":3}", ECHO));
    }

    @Test
    void aToolCanAnswerWithAnImage() {
        Tool chart = Tool.of("chart", "d", Query.class, q -> ToolOutput.image("https://example.com/c.png"));
        assertEquals("{\"contentItems\":[{\"type\":\"inputImage\",\"imageUrl\":\"https://example.com/c.png\"}],\"success\":true}",
                replyTo("chart", "{\"id\":\"x\",\"limit\":3}", chart));
    }

    @Test
    void theEventListenerSeesEachToolCallStartAndEndWithItsOutcome() {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        CodexEventListener listener = new CodexEventListener() {
            @Override
            public void toolCallStarted(ApprovalRequest.ToolCall call) {
                events.add("started " + call.params().callId() + " " + call.params().tool());
            }

            @Override
            public void toolCallEnded(ToolCallEnded e) {
                events.add("ended " + e.call().params().callId() + " " + e.call().params().tool() + " " + e.success()
                        + (e.latency().isNegative() ? " negative" : ""));
            }
        };
        replyTo(listener, "echo", "{\"id\":\"x\",\"limit\":3}", ECHO);
        replyTo(listener, "nope", "{}", ECHO);
        assertEquals(List.of("started c1 echo", "ended c1 echo true", "started c1 nope", "ended c1 nope false"), events);
    }

    @Test
    void anUnknownToolIsAToolErrorNamingTheRegisteredOnes() {
        String reply = replyTo("nope", "{}", ECHO);
        assertTrue(reply.endsWith("\"success\":false}"), reply);
        assertTrue(reply.contains("no tool named nope") && reply.contains("registered: echo"), reply);
    }

    @Test
    void aMissingArgumentIsAToolErrorWithItsPath() {
        String reply = replyTo("echo", "{\"id\":\"x\"}", ECHO);
        assertTrue(reply.endsWith("\"success\":false}"), reply);
        assertTrue(reply.contains("$.limit"), reply);
    }

    @Test
    void aToolThatThrowsIsLoggedAtWarningWithItsCause() {
        Tool failing = Tool.of("echo", "d", Query.class, q -> {
            throw new IllegalStateException("the database is down");
        });
        try (ApprovalsTest.Captured log = new ApprovalsTest.Captured("dev.codex4j.Tool")) {
            String reply = replyTo("echo", "{\"id\":\"x\",\"limit\":3}", failing);
            assertTrue(reply.contains("tool echo failed: the database is down"), reply);
            assertTrue(log.records.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.WARNING
                    && r.getThrown() instanceof IllegalStateException), log.records.toString());
        }
    }
}
