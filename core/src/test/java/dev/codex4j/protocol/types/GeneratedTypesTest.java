package dev.codex4j.protocol.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonCodec;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** How generated types bind: open enums, unions with Unknown, inner alternatives, unknown members kept. */
class GeneratedTypesTest {
    static final JsonMapper M = ProtocolCodec.mapper();

    static JsonNode json(String s) {
        return M.readTree(s);
    }

    /** Reads with the type's codec and checks that writing it back gives the same text. */
    static <T> T roundTrip(JsonCodec<T> codec, String text) {
        T v = codec.fromJson(text);
        assertEquals(text, codec.toJson(v));
        return v;
    }

    @Test
    void unknownEnumValueIsKeptAndWrittenBack() {
        TurnStatus s = roundTrip(TurnStatus.codec(), "\"hibernating\"");
        assertEquals("hibernating", s.value());
        assertFalse(s.isKnown());
        assertEquals(TurnStatus.Known._UNKNOWN, s.known());
        assertEquals(TurnStatus.of("hibernating"), s);
        assertEquals("\"hibernating\"", M.writeValueAsString(M.treeToValue(json("\"hibernating\""), TurnStatus.class)));
    }

    @Test
    void knownEnumValueIsTheConstantAndSwitchesOnKnown() {
        TurnStatus s = TurnStatus.codec().fromJson("\"completed\"");
        assertSame(TurnStatus.COMPLETED, s);
        assertTrue(s.isKnown());
        String seen = switch (s.known()) {
            case COMPLETED -> "done";
            case _UNKNOWN -> "unknown";
            default -> "other";
        };
        assertEquals("done", seen);
    }

    @Test
    void enumOfANonStringIsADecodeError() {
        DecodeException e = assertThrows(DecodeException.class, () -> TurnStatus.codec().fromJson("1"));
        assertEquals("$", e.path());
    }

    @Test
    void unknownUnionTagBecomesUnknownWithTheRawJsonAndWhy() {
        String raw = "{\"type\":\"hologram\",\"depth\":3}";
        UserInput u = roundTrip(UserInput.codec(), raw);
        UserInput.Unknown unknown = assertInstanceOf(UserInput.Unknown.class, u);
        assertEquals(json(raw), unknown.raw());
        assertEquals("unknown type \"hologram\"", unknown.reason());
    }

    @Test
    void unionOfAnUnexpectedShapeBecomesUnknown() {
        assertInstanceOf(UserInput.Unknown.class, UserInput.codec().fromJson("42"));
        assertInstanceOf(AskForApproval.Unknown.class, AskForApproval.codec().fromJson("[1]"));
        assertInstanceOf(UserInput.Unknown.class, UserInput.codec().fromJson("{\"text\":\"no tag\"}"));
    }

    @Test
    void taggedFormBindsAndWritesItsTagFirst() {
        UserInput u = UserInput.codec().fromJson("{\"type\":\"text\",\"text\":\"hi\"}");
        UserInput.Text text = assertInstanceOf(UserInput.Text.class, u);
        assertEquals("hi", text.text());
        assertEquals("text", text.type());
        assertEquals(UserInput.Text.builder().text("hi").build(), text);
        assertEquals("{\"type\":\"text\",\"text\":\"hi\"}", UserInput.codec().toJson(UserInput.Text.builder().text("hi").build()));
    }

    @Test
    void tagAfterOtherMembersStillSelectsTheForm() {
        UserInput u = roundTrip(UserInput.codec(), "{\"text\":\"hi\",\"type\":\"text\"}");
        assertEquals("hi", assertInstanceOf(UserInput.Text.class, u).text());
    }

    @Test
    void stringOrObjectUnionBindsBothForms() {
        assertSame(AskForApproval.NEVER, AskForApproval.codec().fromJson("\"never\""));
        AskForApproval.Value v = assertInstanceOf(AskForApproval.Value.class, roundTrip(AskForApproval.codec(), "\"sometimes\""));
        assertFalse(v.isKnown());
        AskForApproval g = roundTrip(AskForApproval.codec(), "{\"granular\":{\"sandbox_approval\":true,\"rules\":false,"
                + "\"mcp_elicitations\":true}}");
        assertInstanceOf(AskForApproval.Granular.class, g);
    }

    @Test
    void flatUnionFormCarriesTheSharedMembers() {
        ThreadItem item = roundTrip(ThreadItem.codec(), "{\"type\":\"agentMessage\",\"id\":\"i1\",\"text\":\"done\","
                + "\"startedAtMs\":5}");
        ThreadItem.AgentMessage a = assertInstanceOf(ThreadItem.AgentMessage.class, item);
        assertEquals("done", a.text());
        assertEquals(5L, a.startedAtMs());
        assertNull(a.completedAtMs());
    }

    @Test
    void innerAnyOfMembersOfAFormAreKept() {
        UserInput.Image byUrl = assertInstanceOf(UserInput.Image.class,
                roundTrip(UserInput.codec(), "{\"type\":\"image\",\"url\":\"https://example.com/cat.png\",\"detail\":\"high\"}"));
        assertEquals("https://example.com/cat.png", byUrl.url());
        assertNull(byUrl.fileId());
        assertEquals("file_1", assertInstanceOf(UserInput.Audio.class,
                roundTrip(UserInput.codec(), "{\"type\":\"audio\",\"fileId\":\"file_1\"}")).fileId());
        ContentItem.InputImage ci = assertInstanceOf(ContentItem.InputImage.class,
                roundTrip(ContentItem.codec(), "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,AA==\"}"));
        assertEquals("data:image/png;base64,AA==", ci.imageUrl());
        ThreadItem.ImageGeneration ig = assertInstanceOf(ThreadItem.ImageGeneration.class,
                roundTrip(ThreadItem.codec(), "{\"type\":\"imageGeneration\",\"id\":\"ig\",\"status\":\"completed\","
                        + "\"result\":\"\",\"fileId\":\"file_9\"}"));
        assertEquals("", ig.result());
        assertEquals("file_9", ig.fileId());
        FunctionCallOutputContentItem fo = FunctionCallOutputContentItem.codec().fromJson(
                "{\"type\":\"input_image\",\"file_id\":\"f\"}");
        assertEquals("f", assertInstanceOf(FunctionCallOutputContentItem.InputImage.class, fo).fileId());
    }

    @Test
    void aFormWithNoneOfItsAlternativesIsADecodeErrorAndDoesNotBuild() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> UserInput.codec().fromJson("{\"type\":\"image\",\"detail\":\"high\"}"));
        assertTrue(e.getMessage().contains("url | fileId"), e.getMessage());
        IllegalStateException b = assertThrows(IllegalStateException.class, () -> UserInput.Image.builder().build());
        assertTrue(b.getMessage().contains("url | fileId"), b.getMessage());
        assertEquals("u", UserInput.Image.builder().url("u").build().url());
    }

    @Test
    void untaggedFormsAreChosenAsTheSchemaSays() {
        McpElicitationPrimitiveSchema s = McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"string\",\"title\":\"t\"}");
        assertInstanceOf(McpElicitationPrimitiveSchema.OfMcpElicitationStringSchema.class, s);
        s = McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"integer\",\"minimum\":1}");
        assertInstanceOf(McpElicitationPrimitiveSchema.OfMcpElicitationNumberSchema.class, s);
        s = McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"boolean\"}");
        assertInstanceOf(McpElicitationPrimitiveSchema.OfMcpElicitationBooleanSchema.class, s);
        s = McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"string\",\"enum\":[\"a\"],\"enumNames\":[\"A\"]}");
        McpElicitationEnumSchema e = assertInstanceOf(McpElicitationPrimitiveSchema.OfMcpElicitationEnumSchema.class, s).value();
        assertInstanceOf(McpElicitationEnumSchema.OfMcpElicitationLegacyTitledEnumSchema.class, e);
        s = McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"string\",\"enum\":[\"a\"]}");
        e = assertInstanceOf(McpElicitationPrimitiveSchema.OfMcpElicitationEnumSchema.class, s).value();
        assertInstanceOf(McpElicitationEnumSchema.OfMcpElicitationSingleSelectEnumSchema.class, e);
        assertInstanceOf(McpElicitationPrimitiveSchema.Unknown.class,
                McpElicitationPrimitiveSchema.codec().fromJson("{\"type\":\"date\"}"));
    }

    @Test
    void openObjectKeepsMembersTheSchemaDoesNotName() {
        String raw = "{\"model\":\"m\",\"future_knob\":{\"a\":1}}";
        Config c = roundTrip(Config.codec(), raw);
        assertEquals(json("{\"a\":1}"), c.additionalProperties().get("future_knob"));
        assertEquals(json(raw), M.valueToTree(c));
        assertEquals(c, M.treeToValue(json(raw), Config.class));
    }

    @Test
    void everyObjectKeepsUnknownMembersInTheirPlace() {
        // A member a newer server adds (as 0.171.0 added "reason" here): kept and written back where it was.
        String raw = "{\"authMode\":\"chatgpt\",\"origin\":\"tokenRefresh\",\"planType\":\"plus\"}";
        AccountUpdatedNotification n = roundTrip(AccountUpdatedNotification.codec(), raw);
        assertEquals(json("\"tokenRefresh\""), n.additionalProperties().get("origin"));
        assertEquals(raw, AccountUpdatedNotification.codec().toJson(n.toBuilder().build()));
    }

    @Test
    void explicitNullAndAbsenceAreDistinctOnTheWire() {
        ThreadItem.AgentMessage withNull = assertInstanceOf(ThreadItem.AgentMessage.class,
                roundTrip(ThreadItem.codec(), "{\"type\":\"agentMessage\",\"id\":\"i\",\"text\":\"t\",\"phase\":null}"));
        ThreadItem.AgentMessage without = assertInstanceOf(ThreadItem.AgentMessage.class,
                roundTrip(ThreadItem.codec(), "{\"type\":\"agentMessage\",\"id\":\"i\",\"text\":\"t\"}"));
        assertNull(withNull.phase());
        assertNull(without.phase());
        assertFalse(withNull.equals(without), "equality follows the JSON");
    }

    @Test
    void knownTagWithBadMembersStaysTypedAndItsAccessorNamesThePath() {
        ServerNotification n = TypedCodec.notification(new JsonRpcMessage.Notification("item/started",
                json("{\"threadId\":\"t\",\"turnId\":\"u\",\"item\":{\"type\":\"agentMessage\",\"id\":[1,2]}}"), null));
        ServerNotification.ItemStarted s = assertInstanceOf(ServerNotification.ItemStarted.class, n);
        ThreadItem.AgentMessage m = assertInstanceOf(ThreadItem.AgentMessage.class, s.params().item());
        assertEquals("t", s.params().threadId());
        var e = assertThrows(dev.codex4j.errors.MemberNotBoundException.class, m::id);
        assertTrue(e.getMessage().startsWith("ThreadItem.AgentMessage.id does not bind: $.params.item.id: expected a"
                + " string, got an array"), e.getMessage());
    }

    @Test
    void unknownNotificationMethodIsUnknownNotAnError() {
        ServerNotification n = TypedCodec.notification(new JsonRpcMessage.Notification("future/thing",
                json("{\"x\":1}"), 7L));
        assertEquals(new ServerNotification.Unknown("future/thing", json("{\"x\":1}"), "method not in the schema"), n);
    }

    /** Every generated type has a codec, and Jackson databind binds it through that codec. */
    @Test
    void everyGeneratedTypeHasACodecThatJacksonUses() throws IOException, ReflectiveOperationException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(Path.of("src/generated/java/dev/codex4j/protocol/types"))) {
            for (Path f : files.sorted().toList()) {
                String simple = f.getFileName().toString().replace(".java", "");
                if (simple.equals("package-info") || simple.equals("Experimental")) {
                    continue;
                }
                Class<?> c = Class.forName("dev.codex4j.protocol.types." + simple);
                Method codec = c.getMethod("codec");
                assertTrue(Modifier.isStatic(codec.getModifiers()), simple);
                assertNotNull(codec.invoke(null), simple);
                if (!c.isInterface() && c.getDeclaredConstructors().length > 0) {
                    for (var k : c.getDeclaredConstructors()) {
                        if (Modifier.isPublic(k.getModifiers())) {
                            failures.add(simple + " has a public constructor");
                        }
                    }
                }
                boolean openEnum = hasStatic(c, "of");
                JsonNode input = json(openEnum ? "\"x\"" : "{}");
                try {
                    Object v = M.treeToValue(input, c);
                    assertEquals(input, M.valueToTree(v), simple);
                } catch (DecodeException expected) {
                    // {} may lack required members; the codec said so, which is what counts.
                } catch (RuntimeException e) {
                    failures.add(simple + ": " + e);
                }
                checked++;
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(checked > 700, "checked " + checked);
    }

    private static boolean hasStatic(Class<?> c, String name) {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers())) {
                return true;
            }
        }
        return false;
    }
}
