package dev.codex4j.protocol.drift;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.AgentMessageDisplay;
import dev.codex4j.protocol.types.Project;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.protocol.types.TrustedContacts;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Schema drift between Codex CLI versions, decoded with the pinned types (0.171.0): strict at the
 * member, so no message fails as a whole and no item degrades to {@code Unknown}; a member that
 * changed keeps its JSON and only its accessor throws; everything round-trips exactly.
 *
 * <p>The real 0.169.0 -> 0.171.0 drift ({@code codex app-server generate-json-schema --experimental}
 * of both, compared by {@code scripts/regenerate-protocol}'s report) has two changes that the older
 * types could not bind: {@code Project} lost the required {@code position}, and
 * {@code AgentMessageDisplay} lost the required {@code action} and became a {@code oneOf} of a
 * {@code show}, a {@code hide} and a {@code block} form. While the pin was 0.169.0, this test bound
 * 0.171.0's messages with 0.169.0's types (commit "core: strict at the member, not at the message");
 * each of them failed whole before that change. With the pin at 0.171.0 it checks both directions
 * with the same message definitions ({@code ProjectListResponse}, {@code ProjectReadResponse},
 * {@code ProjectCreateResponse}, {@code ProjectUpdateResponse}, {@code ItemCompletedNotification},
 * {@code ItemStartedNotification}, {@code TurnCompletedNotification}, {@code ThreadReadResponse}):
 *
 * <ul>
 *   <li>the older CLI (0.169.0, still supported): its {@code position} and its {@code action}-style
 *       display reach the pinned types kept (an additional property, a display form this version
 *       calls {@code Unknown}), the rest typed;</li>
 *   <li>a CLI newer than the pin making the same kinds of change to the pinned definitions: a
 *       required member dropped ({@code Project.updatedAt}, as {@code position} was) and a member
 *       reshaped ({@code Show.trustedContacts} turned into an object, as {@code display} was).</li>
 * </ul>
 *
 * <p>The agent message lines are recorded 0.171.0 lines with {@code "moderation":null} replaced.
 */
class NewerCliDriftTest {
    /** 0.169.0's {@code AgentMessageDisplay}: an object with a required {@code action}. */
    static final String OLD_DISPLAY = "{\"moderated\":true,\"display\":{\"action\":\"show\",\"blockType\":null,"
            + "\"checkTrustedContacts\":true,\"cyberTrustedAccess\":null}}";
    /** 0.171.0's {@code show} form, as pinned. */
    static final String SHOW = "{\"moderated\":true,\"display\":{\"mode\":\"show\",\"version\":1,"
            + "\"trustedContacts\":\"check\",\"annotation\":{\"kind\":\"wellbeingHelpline\",\"subject\":\"answer\"}}}";
    /** The {@code show} form of a newer CLI whose {@code trustedContacts} became an object. */
    static final String NEWER_SHOW = SHOW.replace("\"trustedContacts\":\"check\"",
            "\"trustedContacts\":{\"mode\":\"check\",\"region\":\"eu\"}");
    /** 0.169.0's {@code Project}: with {@code position}. */
    static final String OLD_PROJECT = "{\"id\":\"p1\",\"name\":\"Website\",\"createdAt\":1796241941,"
            + "\"updatedAt\":1796241942,\"position\":3,\"recencyAt\":null,\"metadata\":{\"color\":\"blue\"},"
            + "\"roots\":[{\"path\":\"/home/dev/workspace\"}]}";
    /** A newer CLI's {@code Project}: without {@code updatedAt}, as 0.171.0's is without {@code position}. */
    static final String NEWER_PROJECT = OLD_PROJECT.replace("\"updatedAt\":1796241942,", "")
            .replace("\"position\":3,", "");

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
        assertEquals(n.params().toString(), TypedCodec.params(paramsOf(typed)).toString(), "round trip");
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

    static ThreadItem.AgentMessage agentMessage(ThreadItem item) {
        ThreadItem.AgentMessage m = assertInstanceOf(ThreadItem.AgentMessage.class, item);
        assertTrue(!m.text().isEmpty());
        assertTrue(m.moderation().moderated());
        return m;
    }

    /** 0.169.0's display: a form the pinned union does not know, kept whole; the message is whole too. */
    static void olderDisplayKept(ThreadItem item) {
        ThreadItem.AgentMessage m = agentMessage(item);
        AgentMessageDisplay.Unknown d = assertInstanceOf(AgentMessageDisplay.Unknown.class, m.moderation().display());
        assertEquals("show", d.raw().path("action").asString());
        assertEquals(m, m.validate(), "nothing in it failed to bind");
    }

    /** A newer CLI's display: still a Show; only the reshaped member throws, naming where it was read. */
    static void newerDisplayLostOneMember(ThreadItem item, String path) {
        ThreadItem.AgentMessage m = agentMessage(item);
        AgentMessageDisplay.Show d = assertInstanceOf(AgentMessageDisplay.Show.class, m.moderation().display());
        assertTrue(d.annotation() != null, "the other members stay typed");
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, d::trustedContacts);
        assertEquals(path, e.path());
        assertEquals("AgentMessageDisplay.Show.trustedContacts", e.member());
        assertEquals(TrustedContacts.class.getSimpleName(), e.expected());
        assertEquals("{\"mode\":\"check\",\"region\":\"eu\"}", e.actual().toString());
        DecodeException whole = assertThrows(DecodeException.class, m::validate);
        assertEquals("$.moderation.display.trustedContacts", whole.path());
    }

    @Test
    void itemCompletedOfTheOlderAndOfANewerCli() throws IOException {
        String older = recorded("item/completed").replace("\"moderation\":null", "\"moderation\":" + OLD_DISPLAY);
        olderDisplayKept(notification(older, ServerNotification.ItemCompleted.class).params().item());
        String newer = recorded("item/completed").replace("\"moderation\":null", "\"moderation\":" + NEWER_SHOW);
        ServerNotification.ItemCompleted c = notification(newer, ServerNotification.ItemCompleted.class);
        newerDisplayLostOneMember(c.params().item(), "$.params.item.moderation.display.trustedContacts");
        assertTrue(c.params().threadId().length() > 10);
    }

    @Test
    void itemStartedOfTheOlderAndOfANewerCli() throws IOException {
        String started = recorded("item/completed").replace("\"method\":\"item/completed\"", "\"method\":\"item/started\"");
        olderDisplayKept(notification(started.replace("\"moderation\":null", "\"moderation\":" + OLD_DISPLAY),
                ServerNotification.ItemStarted.class).params().item());
        newerDisplayLostOneMember(notification(started.replace("\"moderation\":null", "\"moderation\":" + NEWER_SHOW),
                ServerNotification.ItemStarted.class).params().item(), "$.params.item.moderation.display.trustedContacts");
    }

    @Test
    void turnCompletedOfTheOlderAndOfANewerCli() throws IOException {
        String line = recorded("turn/completed");
        ServerNotification.TurnCompleted older = notification(line.replace("\"moderation\":null", "\"moderation\":"
                + OLD_DISPLAY), ServerNotification.TurnCompleted.class);
        olderDisplayKept(older.params().turn().items().get(0));
        ServerNotification.TurnCompleted newer = notification(line.replace("\"moderation\":null", "\"moderation\":"
                + NEWER_SHOW), ServerNotification.TurnCompleted.class);
        assertEquals("completed", newer.params().turn().status().value());
        newerDisplayLostOneMember(newer.params().turn().items().get(0),
                "$.params.turn.items[0].moderation.display.trustedContacts");
    }

    @Test
    void threadReadOfANewerCli() throws IOException {
        JsonNode turnCompleted = ProtocolCodec.mapper().readTree(
                recorded("turn/completed").replace("\"moderation\":null", "\"moderation\":" + NEWER_SHOW));
        String thread = "{\"thread\":{\"id\":\"t1\",\"sessionId\":\"t1\",\"preview\":\"\",\"ephemeral\":false,"
                + "\"modelProvider\":\"mock\",\"createdAt\":1796241941,\"updatedAt\":1796241941,"
                + "\"status\":{\"type\":\"idle\"},\"path\":null,\"cwd\":\"/home/dev/workspace\",\"cliVersion\":\"0.172.0\","
                + "\"source\":\"vscode\",\"gitInfo\":null,\"name\":null,\"turns\":["
                + turnCompleted.path("params").path("turn") + "]}}";
        ThreadReadResponse r = result(ClientMethods.THREAD_READ, thread);
        assertEquals("t1", r.thread().id());
        newerDisplayLostOneMember(r.thread().turns().get(0).items().get(0),
                "$.result.thread.turns[0].items[0].moderation.display.trustedContacts");
    }

    /** 0.169.0's project: {@code position} kept as an additional property, written back in place. */
    static void olderProjectKept(Project p) {
        assertEquals("p1", p.id());
        assertEquals(1796241942L, p.updatedAt());
        assertEquals(3, p.additionalProperties().get("position").asInt());
        assertEquals(p, p.validate());
    }

    /** A newer CLI's project binds; only {@code updatedAt} (gone) throws, naming where it was read. */
    static void newerProjectLostOneMember(Project p, String path) {
        assertEquals("p1", p.id());
        assertEquals("Website", p.name());
        assertEquals(1796241941L, p.createdAt());
        assertEquals("/home/dev/workspace", p.roots().get(0).path());
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, p::updatedAt);
        assertEquals(path, e.path());
        assertEquals("Project.updatedAt", e.member());
        assertEquals("long", e.expected());
        assertNull(e.actual());
        assertEquals("missing required member", e.problem());
        assertThrows(DecodeException.class, p::validate);
    }

    @Test
    void projectListOfTheOlderAndOfANewerCli() {
        var older = result(ClientMethods.PROJECT_LIST, "{\"data\":[" + OLD_PROJECT + "],\"nextCursor\":null}");
        olderProjectKept(older.data().get(0));
        var r = result(ClientMethods.PROJECT_LIST, "{\"data\":[" + NEWER_PROJECT + ","
                + NEWER_PROJECT.replace("p1", "p2") + "],\"nextCursor\":null}");
        assertEquals(2, r.data().size());
        newerProjectLostOneMember(r.data().get(0), "$.result.data[0].updatedAt");
        assertEquals("p2", r.data().get(1).id());
        assertEquals("$.result.data[1].updatedAt",
                assertThrows(MemberNotBoundException.class, r.data().get(1)::updatedAt).path());
    }

    @Test
    void projectReadCreateAndUpdateOfTheOlderAndOfANewerCli() {
        List<Function<String, Project>> reads = List.of(
                j -> result(ClientMethods.PROJECT_READ, j).project(),
                j -> result(ClientMethods.PROJECT_CREATE, j).project(),
                j -> result(ClientMethods.PROJECT_UPDATE, j).project());
        for (Function<String, Project> read : reads) {
            olderProjectKept(read.apply("{\"project\":" + OLD_PROJECT + "}"));
            newerProjectLostOneMember(read.apply("{\"project\":" + NEWER_PROJECT + "}"), "$.result.project.updatedAt");
        }
    }
}
