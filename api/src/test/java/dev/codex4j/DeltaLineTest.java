package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.runtime.Inbound;
import org.junit.jupiter.api.Test;

class DeltaLineTest {
    private static final String PLAIN = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"th\","
            + "\"turnId\":\"tu\",\"itemId\":\"msg_1\",\"delta\":\"Hello \"},\"emittedAtMs\":1}";

    /** What the tree path makes of the line: the event the consumer produced before the fast path. */
    private static TurnEvent viaTree(String line) {
        JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) ProtocolCodec.decode(line);
        return new TurnFold("tu", 0).accept(n.method(), n.params());
    }

    private static TurnEvent viaConsumer(String line) {
        return new TurnFold("tu", 0).accept(new Inbound(RoutingKeys.read(line), line));
    }

    @Test
    void plainDeltaTakesTheStreamingPathAndMatchesTheTree() {
        TurnEvent.AgentMessageDelta d = DeltaLine.read(PLAIN);
        assertNotNull(d);
        assertEquals(new TurnEvent.AgentMessageDelta("msg_1", "Hello "), d);
        assertEquals(viaTree(PLAIN), viaConsumer(PLAIN));
    }

    @Test
    void everyShapeOfDeltaGivesTheTreesEvent() {
        String m = "{\"method\":\"item/agentMessage/delta\",";
        String[] lines = {
            PLAIN,
            m + "\"params\":{\"itemId\":\"i\",\"delta\":\"why?\"}}",
            m + "\"params\":{\"itemId\":\"i\",\"delta\":\"\\ud800 lone, \\u00e9\\u4e2d\\ud83d\\ude00 \\\"q\\\"\\n\"}}",
            m + "\"params\":{\"itemId\":\"i?\\udc00\",\"delta\":\"?\"}}",
            m + "\"params\":{\"itemId\":7,\"delta\":\"x\"}}",
            m + "\"params\":{\"itemId\":\"i\",\"delta\":null}}",
            m + "\"params\":{\"itemId\":\"i\",\"delta\":{\"a\":[1,2]}}}",
            m + "\"params\":{\"itemId\":\"i\"}}",
            m + "\"params\":{}}",
            m + "\"params\":null}",
            "{\"method\":\"item/agentMessage/delta\"}",
            m + "\"params\":{\"itemId\":\"a\",\"delta\":\"1\",\"delta\":\"2\",\"itemId\":\"b\"}}",
            m + "\"params\":{\"itemId\":\"a\",\"delta\":\"1\"},\"params\":{\"delta\":\"2\"}}",
            "{\"params\":{\"delta\":\"late method\",\"itemId\":\"i\",\"extra\":{\"delta\":\"nested\"}},"
                    + "\"method\":\"item/agentMessage/delta\"}",
            m + "\"params\":{\"itemId\":\"i\",\"delta\":\"" + "x".repeat(100_000) + "\"}}",
        };
        for (String line : lines) {
            assertEquals(viaTree(line), viaConsumer(line), line.length() > 200 ? line.substring(0, 200) : line);
        }
    }

    @Test
    void unusualShapesAreLeftToTheTree() {
        String m = "{\"method\":\"item/agentMessage/delta\",";
        assertNull(DeltaLine.read(m + "\"params\":{\"itemId\":7,\"delta\":\"x\"}}"));
        assertNull(DeltaLine.read(m + "\"params\":null}"));
        assertNull(DeltaLine.read(m + "\"params\":{},\"params\":{}}"));
        assertNull(DeltaLine.read("{\"method\":\"item/agentMessage/delta\",\"params\":{\"delta\":\"x\"}"));
    }

    @Test
    void otherNotificationsStillFoldFromTheTree() {
        String line = "{\"method\":\"item/reasoning/textDelta\",\"params\":{\"itemId\":\"r\",\"delta\":\"think\"}}";
        assertEquals(new TurnEvent.ReasoningDelta("item/reasoning/textDelta", "r", "think"), viaConsumer(line));
    }
}
