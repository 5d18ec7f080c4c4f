package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.internal.runtime.ServerRequestException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ValuesTest {
    private static JsonNode json(String s) {
        return ProtocolCodec.mapper().readTree(s);
    }

    @Test
    void runWithAStringSendsOneTextInput() {
        assertEquals(json("[{\"type\":\"text\",\"text\":\"hi\"}]"), Input.toJson(List.of(Input.text("hi"))));
    }

    @Test
    void everyInputKindHasItsWireForm() {
        assertEquals(json("{\"type\":\"image\",\"url\":\"http://x/y.png\"}"), Input.image("http://x/y.png").toJson());
        assertEquals("localImage", Input.localImage(Path.of("a.png")).toJson().path("type").asString());
        assertEquals(json("{\"type\":\"skill\",\"name\":\"s\",\"path\":\"/p/SKILL.md\"}"),
                Input.skill("s", Path.of("/p/SKILL.md")).toJson());
        assertEquals(json("{\"type\":\"mention\",\"name\":\"n\",\"path\":\"app://x\"}"), Input.mention("n", "app://x").toJson());
    }

    enum Mood { HAPPY, SAD }

    record Inner(double weight, Optional<String> note) {}

    record Outer(String name, int count, boolean ok, Mood mood, List<Inner> inner) {}

    @Test
    void recordSchemaIsStrict() {
        JsonNode s = JsonSchemas.of(Outer.class);
        assertEquals("object", s.path("type").asString());
        assertEquals(false, s.path("additionalProperties").asBoolean(true));
        assertEquals(5, s.path("required").size());
        assertEquals("integer", s.at("/properties/count/type").asString());
        assertEquals("HAPPY", s.at("/properties/mood/enum/0").asString());
        assertEquals("number", s.at("/properties/inner/items/properties/weight/type").asString());
        assertEquals("null", s.at("/properties/inner/items/properties/note/anyOf/1/type").asString());
    }

    record Loop(Loop next) {}

    @Test
    void typesWithoutASchemaAreRejectedClearly() {
        assertThrows(IllegalArgumentException.class, () -> JsonSchemas.of(Loop.class));
        assertThrows(IllegalArgumentException.class, () -> JsonSchemas.of(Map.class));
    }

    @Test
    void commandDecisionsMapToWireNames() {
        ApprovalRequest cmd = ApprovalRequest.of("item/commandExecution/requestApproval",
                json("{\"threadId\":\"t\",\"turnId\":\"u\",\"itemId\":\"i\",\"command\":\"ls\",\"availableDecisions\":[\"accept\",{\"acceptWithExecpolicyAmendment\":{}}]}"));
        assertEquals(List.of("accept", "acceptWithExecpolicyAmendment"), ((ApprovalRequest.Command) cmd).availableDecisions());
        assertEquals(json("{\"decision\":\"accept\"}"), ApprovalReplies.result(cmd, Decision.accept()));
        assertEquals(json("{\"decision\":\"acceptForSession\"}"), ApprovalReplies.result(cmd, Decision.acceptForSession()));
        assertEquals(json("{\"decision\":\"cancel\"}"), ApprovalReplies.result(cmd, Decision.cancel()));
        assertThrows(ServerRequestException.class, () -> ApprovalReplies.result(cmd, Decision.toolResult(true, "x")));
    }

    @Test
    void legacyRequestsGetLegacyDecisions() {
        ApprovalRequest legacy = ApprovalRequest.of("execCommandApproval", json("{\"command\":[\"ls\",\"-l\"]}"));
        assertEquals("ls -l", ((ApprovalRequest.Command) legacy).command());
        assertEquals(json("{\"decision\":\"denied\"}"), ApprovalReplies.result(legacy, Decision.decline()));
    }

    @Test
    void defaultHandlerFailsClosed() throws Exception {
        ApprovalHandler h = ApprovalHandler.declineAll();
        assertEquals(Decision.decline(), h.decide(ApprovalRequest.of("item/fileChange/requestApproval", json("{}"))));
        assertEquals(Decision.decline(), h.decide(ApprovalRequest.of("item/permissions/requestApproval", json("{}"))));
        assertThrows(UnsupportedOperationException.class,
                () -> h.decide(ApprovalRequest.of("item/tool/requestUserInput", json("{}"))));
        assertThrows(UnsupportedOperationException.class, () -> h.decide(ApprovalRequest.of("brand/new", json("{}"))));
    }

    @Test
    void userInputAndToolCallsHaveTypedAnswers() {
        ApprovalRequest q = ApprovalRequest.of("item/tool/requestUserInput", json("{\"questions\":[{\"id\":\"q1\"}]}"));
        assertEquals(json("{\"answers\":{\"q1\":{\"answers\":[\"yes\"]}}}"),
                ApprovalReplies.result(q, Decision.answers(Map.of("q1", List.of("yes")))));
        ApprovalRequest call = ApprovalRequest.of("item/tool/call", json("{\"tool\":\"t\",\"callId\":\"c\",\"arguments\":{}}"));
        assertEquals(json("{\"success\":true,\"contentItems\":[{\"type\":\"inputText\",\"text\":\"42\"}]}"),
                ApprovalReplies.result(call, Decision.toolResult(true, "42")));
    }

    @Test
    void threadOptionsRejectARawSandboxPolicy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThreadOptions.builder()
                .sandbox(Sandbox.policy(json("{\"type\":\"workspaceWrite\"}"))).build());
        assertTrue(e.getMessage().contains("per turn"), e.getMessage());
    }

    private static void fold(TurnFold f, String method, String params) {
        f.accept(method, json(params));
    }

    @Test
    void foldPicksTheLastFinalAnswerAndIgnoresUncompletedItems() {
        TurnFold f = new TurnFold("u", System.nanoTime());
        fold(f, "item/completed", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"1\",\"text\":\"c\",\"phase\":\"commentary\"}}");
        fold(f, "item/completed", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"2\",\"text\":\"\"}}");
        fold(f, "item/completed", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"3\",\"text\":\"final\",\"phase\":\"final_answer\"}}");
        fold(f, "item/started", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"4\"}}");
        fold(f, "thread/tokenUsage/updated", "{\"tokenUsage\":{\"last\":{\"totalTokens\":5},\"total\":{\"totalTokens\":9}}}");
        fold(f, "turn/completed", "{\"turn\":{\"id\":\"u\",\"status\":\"completed\"}}");
        RunResult r = f.result();
        assertEquals(Optional.of("final"), r.finalResponse());
        assertEquals(3, r.items().size());
        assertEquals(5, r.usage().orElseThrow().path("totalTokens").asInt());
    }

    @Test
    void emptyUnphasedMessageStillCountsAndCommentaryNever() {
        TurnFold f = new TurnFold("u", System.nanoTime());
        fold(f, "item/completed", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"2\",\"text\":\"\"}}");
        fold(f, "item/completed", "{\"item\":{\"type\":\"agentMessage\",\"id\":\"1\",\"text\":\"c\",\"phase\":\"commentary\"}}");
        fold(f, "turn/completed", "{\"turn\":{\"id\":\"u\",\"status\":\"interrupted\"}}");
        assertEquals(Optional.of(""), f.result().finalResponse());
        assertEquals(TurnStatus.INTERRUPTED, f.result().status());
    }

    @Test
    void failedTurnKeepsTheServersError() {
        TurnFold f = new TurnFold("u", System.nanoTime());
        fold(f, "error", "{\"error\":{\"message\":\"boom\",\"codexErrorInfo\":\"internalServerError\"},\"willRetry\":false}");
        fold(f, "turn/completed", "{\"turn\":{\"id\":\"u\",\"status\":\"failed\",\"error\":{\"message\":\"boom\",\"codexErrorInfo\":\"internalServerError\"}}}");
        assertEquals("boom", f.result().error().orElseThrow().message());
        assertEquals(Optional.of("internalServerError"), f.result().error().orElseThrow().codexErrorInfoName());
    }
}
