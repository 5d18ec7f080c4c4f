package dev.codex4j.protocol.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Values are built with builders: required members are checked at build(), and built values are immutable. */
class BuildersTest {
    @Test
    void buildNamesTheMissingRequiredMembers() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TurnStartParams.builder().model("m").build());
        assertEquals("TurnStartParams is missing required members: input, threadId", e.getMessage());
    }

    @Test
    void aRequiredMemberCannotBeSetToNull() {
        assertThrows(NullPointerException.class, () -> TurnInterruptParams.builder().threadId(null));
    }

    @Test
    void builtParamsEncodeOnlyWhatWasSet() {
        TurnStartParams p = TurnStartParams.builder()
                .threadId("t1")
                .input(List.of(UserInput.Text.builder().text("hi").build(),
                        UserInput.Image.builder().url("https://example.com/a.png").build()))
                .model("gpt-x")
                .build();
        assertEquals("{\"input\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"image\",\"url\":\"https://example.com/a.png\"}],"
                + "\"model\":\"gpt-x\",\"threadId\":\"t1\"}", TurnStartParams.codec().toJson(p));
    }

    @Test
    void nullForANullableMemberWritesNullAndForAnOptionalOneLeavesItOut() {
        TurnStartParams p = TurnStartParams.builder().threadId("t").input(List.of()).model(null).build();
        assertTrue(TurnStartParams.codec().toJson(p).contains("\"model\":null"), TurnStartParams.codec().toJson(p));
        UserInput.Text t = UserInput.Text.builder().text("x").textElements(null).build();
        assertEquals("{\"type\":\"text\",\"text\":\"x\"}", UserInput.codec().toJson(t));
    }

    @Test
    void listsAreCopiedAndImmutable() {
        List<UserInput> input = new ArrayList<>(List.of(UserInput.Text.builder().text("a").build()));
        TurnStartParams p = TurnStartParams.builder().threadId("t").input(input).build();
        input.clear();
        assertEquals(1, p.input().size());
        assertThrows(UnsupportedOperationException.class, () -> p.input().clear());
    }

    @Test
    void toBuilderChangesOneMemberAndKeepsTheRestInOrder() {
        String raw = "{\"threadId\":\"t\",\"turnId\":\"u\",\"future\":1}";
        TurnInterruptParams p = TurnInterruptParams.codec().fromJson(raw);
        TurnInterruptParams q = p.toBuilder().turnId("v").build();
        assertEquals("{\"threadId\":\"t\",\"turnId\":\"v\",\"future\":1}", TurnInterruptParams.codec().toJson(q));
        assertNotEquals(p, q);
        assertEquals(p, q.toBuilder().turnId("u").build());
    }

    @Test
    void additionalPropertiesCanBeSetButNotUnderAMembersName() {
        JsonNode one = JsonNodeFactory.instance.numberNode(1);
        TurnInterruptParams p = TurnInterruptParams.builder().threadId("t").turnId("u")
                .putAdditionalProperty("experimentalKnob", one).build();
        assertEquals("{\"threadId\":\"t\",\"turnId\":\"u\",\"experimentalKnob\":1}", TurnInterruptParams.codec().toJson(p));
        assertThrows(IllegalArgumentException.class,
                () -> TurnInterruptParams.builder().putAdditionalProperty("threadId", one));
        assertEquals("{\"threadId\":\"t\",\"turnId\":\"u\"}", TurnInterruptParams.codec().toJson(
                p.toBuilder().removeAdditionalProperty("experimentalKnob").build()));
    }

    @Test
    void aTaggedFormCannotForgetItsTag() {
        assertEquals(ProtocolCodec.mapper().readTree("{\"type\":\"idle\"}"),
                ThreadStatus.codec().toJsonNode(ThreadStatus.Idle.builder().build()));
    }

    @Test
    void paramsThatAreNotAProtocolTypeAreWrittenByTheMapper() {
        assertEquals(ProtocolCodec.mapper().readTree("{\"a\":1}"),
                dev.codex4j.protocol.TypedCodec.params(java.util.Map.of("a", 1)));
    }

    @Test
    void toStringShowsThePresentMembers() {
        assertEquals("TurnInterruptParams[threadId=t, turnId=u]",
                TurnInterruptParams.builder().threadId("t").turnId("u").build().toString());
        assertEquals("UserInput.Text[text=hi]", UserInput.Text.builder().text("hi").build().toString());
    }
}
