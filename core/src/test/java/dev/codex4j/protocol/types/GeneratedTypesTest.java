package dev.codex4j.protocol.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.TypedCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidDefinitionException;
import tools.jackson.databind.json.JsonMapper;

/** How generated types bind: forward-compatible enums, unions with Unknown, tags written back. */
class GeneratedTypesTest {
    static final JsonMapper M = ProtocolCodec.mapper();

    static JsonNode json(String s) {
        return M.readTree(s);
    }

    @Test
    void unknownEnumValueIsKeptAndWrittenBack() {
        TurnStatus s = M.treeToValue(json("\"hibernating\""), TurnStatus.class);
        assertEquals("hibernating", s.value());
        assertFalse(s.isKnown());
        assertEquals("\"hibernating\"", M.writeValueAsString(s));
    }

    @Test
    void knownEnumValueIsTheConstant() {
        assertSame(TurnStatus.COMPLETED, M.treeToValue(json("\"completed\""), TurnStatus.class));
        assertTrue(TurnStatus.COMPLETED.isKnown());
    }

    @Test
    void unknownUnionTagBecomesUnknownWithTheRawJson() {
        JsonNode raw = json("{\"type\":\"hologram\",\"depth\":3}");
        UserInput u = M.treeToValue(raw, UserInput.class);
        assertEquals(new UserInput.Unknown(raw), u);
        assertEquals(raw, M.valueToTree(u));
    }

    @Test
    void unionOfAnUnexpectedShapeBecomesUnknown() {
        assertInstanceOf(UserInput.Unknown.class, M.treeToValue(json("42"), UserInput.class));
        assertInstanceOf(AskForApproval.Unknown.class, M.treeToValue(json("[1]"), AskForApproval.class));
    }

    @Test
    void taggedVariantBindsAndWritesItsTag() {
        UserInput u = M.treeToValue(json("{\"type\":\"text\",\"text\":\"hi\"}"), UserInput.class);
        assertEquals(new UserInput.Text("hi", null), u);
        assertEquals(json("{\"type\":\"text\",\"text\":\"hi\"}"), M.valueToTree(new UserInput.Text("hi", null)));
    }

    @Test
    void stringOrObjectUnionBindsBothForms() {
        assertEquals(AskForApproval.NEVER, M.treeToValue(json("\"never\""), AskForApproval.class));
        assertEquals(new AskForApproval.Value("sometimes"), M.treeToValue(json("\"sometimes\""), AskForApproval.class));
        AskForApproval g = M.treeToValue(json("{\"granular\":{\"sandbox_approval\":true,\"rules\":false,"
                + "\"mcp_elicitations\":true}}"), AskForApproval.class);
        assertInstanceOf(AskForApproval.Granular.class, g);
    }

    @Test
    void flatUnionVariantCarriesTheSharedMembers() {
        ThreadItem item = M.treeToValue(json("{\"type\":\"agentMessage\",\"id\":\"i1\",\"text\":\"done\","
                + "\"startedAtMs\":5}"), ThreadItem.class);
        ThreadItem.AgentMessage a = assertInstanceOf(ThreadItem.AgentMessage.class, item);
        assertEquals("done", a.text());
        assertEquals(5L, a.startedAtMs());
    }

    @Test
    void openObjectKeepsMembersTheSchemaDoesNotName() {
        JsonNode raw = json("{\"model\":\"m\",\"future_knob\":{\"a\":1}}");
        Config c = M.treeToValue(raw, Config.class);
        assertEquals(json("{\"a\":1}"), c.additionalProperties().get("future_knob"));
        assertEquals(raw, M.valueToTree(c));
    }

    @Test
    void knownTagWithBadMembersMakesTheNotificationUnknownWithAReason() {
        ServerNotification n = TypedCodec.notification(new JsonRpcMessage.Notification("item/started",
                json("{\"threadId\":\"t\",\"turnId\":\"u\",\"item\":{\"type\":\"agentMessage\",\"id\":[1,2]}}"), null));
        ServerNotification.Unknown u = assertInstanceOf(ServerNotification.Unknown.class, n);
        assertTrue(u.reason().startsWith("params do not bind"), u.reason());
    }

    @Test
    void unknownNotificationMethodIsUnknownNotAnError() {
        ServerNotification n = TypedCodec.notification(new JsonRpcMessage.Notification("future/thing",
                json("{\"x\":1}"), 7L));
        assertEquals(new ServerNotification.Unknown("future/thing", json("{\"x\":1}"), "method not in the schema"), n);
    }

    /** Jackson can build a deserializer and a serializer for every generated type. */
    @Test
    void everyGeneratedTypeBindsWithJackson() throws IOException, ClassNotFoundException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/codex4j/protocol/types"))) {
            for (Path f : files.sorted().toList()) {
                String simple = f.getFileName().toString().replace(".java", "");
                if (simple.equals("package-info") || simple.equals("Experimental")) {
                    continue;
                }
                Class<?> c = Class.forName("dev.codex4j.protocol.types." + simple);
                boolean stringEnum = c.isRecord() && c.getRecordComponents().length == 1
                        && c.getRecordComponents()[0].getName().equals("value")
                        && c.getRecordComponents()[0].getType() == String.class;
                JsonNode input = json(stringEnum ? "\"x\"" : "{}");
                try {
                    Object v = M.treeToValue(input, c);
                    M.valueToTree(v);
                    checked++;
                } catch (InvalidDefinitionException e) {
                    failures.add(simple + ": " + e.getOriginalMessage());
                } catch (RuntimeException e) {
                    // {} may not satisfy a type (e.g. a required primitive); only definition problems count.
                    checked++;
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(checked > 700, "checked " + checked);
    }
}
