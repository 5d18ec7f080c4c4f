package dev.codex4j.protocol.types;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Binding never coerces: a wrong JSON type, a missing required member or a stray null is an error
 * with a path. The codecs are strict; messages bind strict at the member (the member's accessor throws).
 */
class StrictBindingTest {
    static DecodeException decodeError(Runnable r) {
        return assertThrows(DecodeException.class, r::run);
    }

    /**
     * Binds a notification line by the tree and the byte path (they agree), and returns the error of
     * reading the member that did not bind: strict at the member, so the message itself stays typed.
     */
    static <N extends ServerNotification> String memberError(String line, Class<N> type, Function<N, ?> read) {
        ServerNotification tree = TypedCodec.notification((JsonRpcMessage.Notification) ProtocolCodec.decode(line));
        byte[] b = line.getBytes(UTF_8);
        assertEquals(tree, TypedCodec.notification(b, 0, b.length));
        N typed = assertInstanceOf(type, tree);
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, () -> read.apply(typed));
        return e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
    }

    @Test
    void aNumberIsNotAString() {
        DecodeException e = decodeError(() -> TurnInterruptParams.codec().fromJson("{\"threadId\":42,\"turnId\":\"u\"}"));
        assertEquals("$.threadId", e.path());
        assertEquals("TurnInterruptParams does not bind: $.threadId: expected a string, got the number 42"
                + " (in TurnInterruptParams)", e.getMessage());
    }

    @Test
    void aBooleanIsNotAString() {
        String reason = memberError("{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\","
                + "\"turnId\":\"u\",\"itemId\":\"i\",\"delta\":true}}", ServerNotification.ItemAgentMessageDelta.class,
                d -> d.params().delta());
        assertTrue(reason.startsWith("$.params.delta: expected a string, got true"), reason);
    }

    @Test
    void aStringIsNotABooleanNorAnInteger() {
        decodeError(() -> ErrorNotification.codec().fromJson("{\"error\":{\"message\":\"m\"},\"willRetry\":\"true\","
                + "\"threadId\":\"t\",\"turnId\":\"u\"}"));
        DecodeException e = decodeError(() -> ThreadItem.codec().fromJson("{\"type\":\"agentMessage\",\"id\":\"i\","
                + "\"text\":\"t\",\"startedAtMs\":\"5\"}"));
        assertEquals("$.startedAtMs", e.path());
        decodeError(() -> ThreadItem.codec().fromJson("{\"type\":\"agentMessage\",\"id\":\"i\",\"text\":\"t\","
                + "\"startedAtMs\":5.5}"));
        decodeError(() -> ThreadItem.codec().fromJson("{\"type\":\"agentMessage\",\"id\":\"i\",\"text\":\"t\","
                + "\"startedAtMs\":99999999999999999999}"));
    }

    @Test
    void aMissingRequiredMemberFailsAtItsPath() {
        String reason = memberError("{\"method\":\"item/completed\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\","
                + "\"completedAtMs\":1,\"item\":{\"type\":\"agentMessage\",\"text\":\"hi\"}}}",
                ServerNotification.ItemCompleted.class, c -> ((ThreadItem.AgentMessage) c.params().item()).id());
        assertTrue(reason.startsWith("$.params.item.id: missing required member"), reason);
        DecodeException e = decodeError(() -> TurnInterruptParams.codec().fromJson("{}"));
        assertEquals("$.threadId", e.path());
        assertEquals("missing required members threadId, turnId", e.problem());
    }

    @Test
    void aMissingRequiredPrimitiveIsNotAZero() {
        DecodeException e = decodeError(() -> ErrorNotification.codec().fromJson(
                "{\"error\":{\"message\":\"m\"},\"threadId\":\"t\",\"turnId\":\"u\"}"));
        assertEquals("$.willRetry", e.path());
    }

    @Test
    void nullOnlyWhereTheSchemaAllowsIt() {
        // thread/start's response: "serviceTier" is required and nullable, "model" is required and not.
        ThreadItem.AgentMessage a = (ThreadItem.AgentMessage) ThreadItem.codec().fromJson(
                "{\"type\":\"agentMessage\",\"id\":\"i\",\"text\":\"t\",\"phase\":null}");
        assertNull(a.phase());
        DecodeException e = decodeError(() -> ThreadItem.codec().fromJson("{\"type\":\"agentMessage\",\"id\":null,"
                + "\"text\":\"t\"}"));
        assertEquals("$.id", e.path());
        assertTrue(e.problem().endsWith("got null"), e.problem());
        // text_elements is optional but not nullable.
        decodeError(() -> UserInput.codec().fromJson("{\"type\":\"text\",\"text\":\"t\",\"text_elements\":null}"));
        // A list item may not be null.
        DecodeException item = decodeError(() -> ThreadItem.codec().fromJson("{\"type\":\"userMessage\",\"id\":\"i\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"a\"},null]}"));
        assertEquals("$.content[1]", item.path());
    }

    @Test
    void aDuplicateMemberIsAnError() {
        DecodeException e = decodeError(() -> TurnInterruptParams.codec().fromJson(
                "{\"threadId\":\"a\",\"turnId\":\"u\",\"threadId\":\"b\"}"));
        assertEquals("$.threadId", e.path());
        assertEquals("duplicate member", e.problem());
    }

    @Test
    void pathsGoThroughArraysAndUnions() {
        String reason = memberError("{\"method\":\"item/completed\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\","
                + "\"completedAtMs\":1,\"item\":{\"type\":\"userMessage\",\"id\":\"i\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"a\"},{\"type\":\"image\",\"url\":7}]}}}", ServerNotification.ItemCompleted.class,
                c -> ((UserInput.Image) ((ThreadItem.UserMessage) c.params().item()).content().get(1)).url());
        assertTrue(reason.startsWith("$.params.item.content[1].url: expected a string"), reason);
        // The same when the tag is not the first member (the form is read from a buffered tree).
        reason = memberError("{\"method\":\"item/completed\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\","
                + "\"completedAtMs\":1,\"item\":{\"id\":\"i\",\"type\":\"userMessage\",\"content\":[{\"url\":7,"
                + "\"type\":\"image\"}]}}}", ServerNotification.ItemCompleted.class,
                c -> ((UserInput.Image) ((ThreadItem.UserMessage) c.params().item()).content().get(0)).url());
        assertTrue(reason.startsWith("$.params.item.content[0].url: expected a string"), reason);
    }

    @Test
    void resultBindingThrowsNamingTheMethodAndPath() {
        // The result binds; reading the member that does not throws, naming the member and the path.
        TurnStartResponse r = TypedCodec.result(ClientMethods.TURN_START,
                ProtocolCodec.mapper().readTree("{\"turn\":{\"id\":42,\"items\":[],\"status\":\"inProgress\"}}"));
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, () -> r.turn().id());
        assertEquals("$.result.turn.id", e.path());
        assertTrue(e.getMessage().startsWith("Turn.id does not bind: $.result.turn.id: expected a string"),
                e.getMessage());
        assertEquals("String", e.expected());
        assertEquals(42, e.actual().intValue());
        DecodeException whole = assertThrows(DecodeException.class, r::validate);
        assertEquals("$.turn.id", whole.path());
        // A result that is not an object at all does not bind.
        DecodeException notObject = assertThrows(DecodeException.class, () -> TypedCodec.result(
                ClientMethods.TURN_START, ProtocolCodec.mapper().readTree("\"t\"")));
        assertEquals("turn/start result", notObject.subject());
    }

    @Test
    void anEmptyOrNullResultIsAnError() {
        assertThrows(ProtocolException.class, () -> TypedCodec.result(ClientMethods.THREAD_START,
                ProtocolCodec.mapper().readTree("null")));
        assertThrows(ProtocolException.class, () -> TypedCodec.result(ClientMethods.THREAD_START,
                ProtocolCodec.mapper().readTree("[]")));
    }

    @Test
    void jacksonDatabindBindsStrictlyToo() {
        DecodeException e = assertThrows(DecodeException.class, () -> ProtocolCodec.mapper().treeToValue(
                ProtocolCodec.mapper().readTree("{\"threadId\":42,\"turnId\":\"u\"}"), TurnInterruptParams.class));
        assertEquals("TurnInterruptParams does not bind: $.threadId: expected a string, got the number 42"
                + " (in TurnInterruptParams)", e.getMessage());
        assertTrue(e.getStackTrace().length > 0, "a stack trace for the caller");
    }
}
