package dev.codex4j.protocol.drift;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.DecodeException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.MemberNotBoundException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.AgentMessageDisplay;
import dev.codex4j.protocol.types.Project;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Messages in the shapes of Codex CLI 0.171.0 where its schema differs from the one these types
 * were generated from (0.169.0), decoded with these types: strict at the member, so no message
 * fails as a whole and no item degrades to {@code Unknown}; the member that changed keeps its JSON
 * and only its accessor throws; everything round-trips exactly.
 *
 * <p>The real 0.169.0 -> 0.171.0 drift ({@code codex app-server generate-json-schema --experimental}
 * of both, compared) has two changes that old types cannot bind: {@code Project} lost the required
 * {@code position}, and {@code AgentMessageDisplay} lost the required {@code action} and became a
 * {@code oneOf} of a {@code show}, a {@code hide} and a {@code block} form. The rest is additive
 * (new optional members, enum values, methods), which the types already kept. Each test below is a
 * message definition those two changes reach: {@code ProjectListResponse}, {@code ProjectReadResponse},
 * {@code ProjectCreateResponse}, {@code ProjectUpdateResponse} (a {@code Project}),
 * {@code ItemCompletedNotification}, {@code ItemStartedNotification}, {@code TurnCompletedNotification}
 * and {@code ThreadReadResponse} (an agent message's {@code moderation.display}, in each of the three
 * new forms). Before this change every one of them failed whole: the responses with
 * {@code DecodeException}, the notifications as {@code ServerNotification.Unknown}. The agent
 * message lines are recorded 0.171.0 lines with {@code "moderation":null} replaced by a moderation
 * of 0.171.0's shape.
 */
class NewerCliDriftTest {
    /** 0.171.0's {@code AgentMessageDisplay}, {@code mode: show} (with 0.171.0's {@code AnswerAnnotation}). */
    static final String SHOW = "{\"moderated\":true,\"display\":{\"mode\":\"show\",\"version\":1,"
            + "\"trustedContacts\":\"check\",\"annotation\":{\"kind\":\"wellbeingHelpline\",\"subject\":\"answer\"}}}";
    /** {@code mode: hide}, with 0.171.0's {@code AnswerReplacement}. */
    static final String HIDE = "{\"moderated\":true,\"display\":{\"mode\":\"hide\",\"version\":1,"
            + "\"replacement\":{\"kind\":\"wellbeingPromptHelpline\"}}}";
    /** {@code mode: block}, with 0.171.0's {@code BlockReason}. */
    static final String BLOCK = "{\"moderated\":true,\"display\":{\"mode\":\"block\",\"version\":1,"
            + "\"reason\":{\"kind\":\"protection\",\"protectionType\":\"selfHarm\"}}}";
    /** 0.171.0's {@code Project}: no {@code position}. */
    static final String PROJECT = "{\"id\":\"p1\",\"name\":\"Website\",\"createdAt\":1796241941,"
            + "\"updatedAt\":1796241942,\"recencyAt\":null,\"metadata\":{\"color\":\"blue\"},"
            + "\"roots\":[{\"path\":\"/home/dev/workspace\"}]}";

    /** A recorded 0.171.0 line of the method whose params hold an agent message (moderation null). */
    static String recorded(String method) throws IOException {
        try (InputStream in = NewerCliDriftTest.class.getResourceAsStream("/transcripts/cli-0.171.0/command_execution.jsonl")) {
            for (String row : new String(in.readAllBytes(), UTF_8).split("\n")) {
                JsonNode r = ProtocolCodec.mapper().readTree(row);
                String line = r.path("line").asString("");
                if (r.path("msg").path("method").asString("").equals(method) && line.contains("\"agentMessage\"")
                        && line.contains("\"moderation\":null")) {
                    return line;
                }
            }
        }
        throw new AssertionError("no recorded " + method + " with an agent message");
    }

    /** Binds by the tree and the byte path (they agree) and checks the params re-encode byte for byte. */
    static <N extends ServerNotification> N notification(String line, Class<N> type) {
        JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) ProtocolCodec.decode(line);
        ServerNotification tree = TypedCodec.notification(n);
        byte[] b = line.getBytes(UTF_8);
        assertEquals(tree, TypedCodec.notification(n.method(), b, 0, b.length));
        N typed = assertInstanceOf(type, tree, () -> "not typed: " + tree);
        JsonNode params = TypedCodec.params(paramsOf(typed));
        assertEquals(n.params().toString(), params.toString(), "round trip");
        return typed;
    }

    static Object paramsOf(ServerNotification n) {
        return switch (n) {
            case ServerNotification.ItemCompleted c -> c.params();
            case ServerNotification.ItemStarted s -> s.params();
            case ServerNotification.TurnCompleted t -> t.params();
            default -> throw new AssertionError(n);
        };
    }

    static <R> R result(ClientMethod<?, R> method, String json) {
        JsonNode node = ProtocolCodec.mapper().readTree(json);
        R r = TypedCodec.result(method, node);
        assertEquals(node.toString(), TypedCodec.params(r).toString(), "round trip");
        return r;
    }

    static MemberNotBoundException unbound(Runnable read) {
        return assertThrows(MemberNotBoundException.class, read::run);
    }

    /** The agent message stays typed; only its display's {@code action} (gone in 0.171.0) throws. */
    static void displayLostAction(ThreadItem item, String path, String mode) {
        ThreadItem.AgentMessage m = assertInstanceOf(ThreadItem.AgentMessage.class, item);
        assertTrue(!m.text().isEmpty());
        assertTrue(m.moderation().moderated());
        AgentMessageDisplay d = m.moderation().display();
        assertEquals(mode, d.additionalProperties().get("mode").asString(), "0.171.0's members are kept");
        assertNull(d.blockType());
        MemberNotBoundException e = unbound(d::action);
        assertEquals(path, e.path());
        assertEquals("AgentMessageDisplay.action", e.member());
        assertEquals("String", e.expected());
        assertNull(e.actual());
        assertEquals("missing required member", e.problem());
        assertTrue(e.getMessage().startsWith("AgentMessageDisplay.action does not bind: " + path
                + ": missing required member"), e.getMessage());
        DecodeException whole = assertThrows(DecodeException.class, m::validate);
        assertEquals("$.moderation.display.action", whole.path());
    }

    @Test
    void itemCompletedWithAShowDisplayStaysAnAgentMessage() throws IOException {
        String line = recorded("item/completed").replace("\"moderation\":null", "\"moderation\":" + SHOW);
        ServerNotification.ItemCompleted c = notification(line, ServerNotification.ItemCompleted.class);
        displayLostAction(c.params().item(), "$.params.item.moderation.display.action", "show");
        assertTrue(c.params().threadId().length() > 10);
    }

    @Test
    void itemStartedWithAHideDisplayStaysAnAgentMessage() throws IOException {
        String line = recorded("item/completed").replace("\"method\":\"item/completed\"", "\"method\":\"item/started\"")
                .replace("\"moderation\":null", "\"moderation\":" + HIDE);
        ServerNotification.ItemStarted s = notification(line, ServerNotification.ItemStarted.class);
        displayLostAction(s.params().item(), "$.params.item.moderation.display.action", "hide");
    }

    @Test
    void turnCompletedWithABlockDisplayKeepsItsTypedItems() throws IOException {
        String line = recorded("turn/completed").replace("\"moderation\":null", "\"moderation\":" + BLOCK);
        ServerNotification.TurnCompleted t = notification(line, ServerNotification.TurnCompleted.class);
        assertEquals("completed", t.params().turn().status().value());
        displayLostAction(t.params().turn().items().get(0), "$.params.turn.items[0].moderation.display.action", "block");
    }

    @Test
    void threadReadWithAModeratedAnswerBinds() throws IOException {
        JsonNode turnCompleted = ProtocolCodec.mapper().readTree(
                recorded("turn/completed").replace("\"moderation\":null", "\"moderation\":" + SHOW));
        String thread = "{\"thread\":{\"id\":\"t1\",\"sessionId\":\"t1\",\"preview\":\"\",\"ephemeral\":false,"
                + "\"modelProvider\":\"mock\",\"createdAt\":1796241941,\"updatedAt\":1796241941,"
                + "\"status\":{\"type\":\"idle\"},\"path\":null,\"cwd\":\"/home/dev/workspace\",\"cliVersion\":\"0.171.0\","
                + "\"source\":\"vscode\",\"gitInfo\":null,\"name\":null,\"turns\":["
                + turnCompleted.path("params").path("turn") + "]}}";
        ThreadReadResponse r = result(ClientMethods.THREAD_READ, thread);
        assertEquals("t1", r.thread().id());
        displayLostAction(r.thread().turns().get(0).items().get(0),
                "$.result.thread.turns[0].items[0].moderation.display.action", "show");
    }

    /** A project of 0.171.0 binds; only {@code position} (gone) throws, naming where it was read. */
    static void projectLostPosition(Project p, String path) {
        assertEquals("p1", p.id());
        assertEquals("Website", p.name());
        assertEquals(1796241941L, p.createdAt());
        assertEquals("/home/dev/workspace", p.roots().get(0).path());
        MemberNotBoundException e = unbound(p::position);
        assertEquals(path, e.path());
        assertEquals("Project.position", e.member());
        assertEquals("long", e.expected());
        assertEquals("missing required member", e.problem());
        assertThrows(DecodeException.class, p::validate);
    }

    @Test
    void projectListOfANewerServerBinds() {
        var r = result(ClientMethods.PROJECT_LIST, "{\"data\":[" + PROJECT + "," + PROJECT.replace("p1", "p2")
                + "],\"nextCursor\":null}");
        assertEquals(2, r.data().size());
        projectLostPosition(r.data().get(0), "$.result.data[0].position");
        assertEquals("p2", r.data().get(1).id());
        assertEquals("$.result.data[1].position", unbound(r.data().get(1)::position).path());
    }

    @Test
    void projectReadCreateAndUpdateOfANewerServerBind() {
        String one = "{\"project\":" + PROJECT + "}";
        List<Function<String, Project>> reads = List.of(
                j -> result(ClientMethods.PROJECT_READ, j).project(),
                j -> result(ClientMethods.PROJECT_CREATE, j).project(),
                j -> result(ClientMethods.PROJECT_UPDATE, j).project());
        for (Function<String, Project> read : reads) {
            projectLostPosition(read.apply(one), "$.result.project.position");
        }
    }
}
