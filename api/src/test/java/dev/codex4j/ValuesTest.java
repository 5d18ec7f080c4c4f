package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.ProtocolCodec;
import java.nio.file.Path;
import java.util.List;
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
