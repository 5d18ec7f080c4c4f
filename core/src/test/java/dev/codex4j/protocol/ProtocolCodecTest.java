package dev.codex4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ProtocolException;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {

    @Test
    void integerAndStringIdsKeepTheirForm() {
        var num = assertInstanceOf(JsonRpcMessage.Response.class, ProtocolCodec.decode("{\"id\":1,\"result\":{}}"));
        var str = assertInstanceOf(JsonRpcMessage.Response.class, ProtocolCodec.decode("{\"id\":\"1\",\"result\":{}}"));
        assertEquals(RequestId.of(1), num.id());
        assertEquals(RequestId.of("1"), str.id());
        assertEquals("{\"id\":\"1\",\"result\":{}}", ProtocolCodec.encode(str));
    }

    @Test
    void methodWithIdIsAServerRequest() {
        var r = assertInstanceOf(JsonRpcMessage.Request.class,
                ProtocolCodec.decode("{\"id\":0,\"method\":\"item/commandExecution/requestApproval\",\"params\":{\"threadId\":\"t\"}}"));
        assertEquals("item/commandExecution/requestApproval", r.method());
    }

    @Test
    void notificationKeepsEmittedAtAndIgnoresUnknownMembers() {
        var n = assertInstanceOf(JsonRpcMessage.Notification.class,
                ProtocolCodec.decode("{\"method\":\"x\",\"params\":{},\"emittedAtMs\":42,\"extra\":[1]}"));
        assertEquals(42L, n.emittedAtMs());
    }

    @Test
    void requestsAlwaysCarryParams() {
        String line = ProtocolCodec.encode(new JsonRpcMessage.Request(RequestId.of(3), "thread/start",
                ProtocolCodec.emptyObject()));
        assertEquals("{\"id\":3,\"method\":\"thread/start\",\"params\":{}}", line);
    }

    @Test
    void errorResponseDecodesCodeMessageAndData() {
        var e = assertInstanceOf(JsonRpcMessage.ErrorResponse.class, ProtocolCodec.decode(
                "{\"id\":5,\"error\":{\"code\":-32001,\"message\":\"Server overloaded; retry later.\",\"data\":{\"retryable\":true}}}"));
        assertEquals(RpcError.SERVER_OVERLOADED, e.error().code());
        assertTrue(e.error().data().get("retryable").asBoolean());
    }

    @Test
    void malformedJsonIsAProtocolExceptionCarryingTheLine() {
        String bad = "{\"id\":1,\"result\":" + "x".repeat(1000);
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolCodec.decode(bad));
        assertTrue(e.line().length() < 300, "line is truncated");
        assertTrue(e.getMessage().startsWith("Malformed JSON"), e.getMessage());
    }

    @Test
    void nonObjectsAndShapelessObjectsAreRejected() {
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode("[1,2]"));
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode("{}"));
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode(""));
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode("{\"id\":1.5,\"result\":{}}"));
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode("{\"id\":1,\"result\":{}} trailing"));
    }

    @Test
    void deepNestingIsAProtocolExceptionNotAStackOverflow() {
        String deep = "{\"method\":\"x\",\"params\":" + "[".repeat(200_000);
        assertThrows(ProtocolException.class, () -> ProtocolCodec.decode(deep));
        assertThrows(ProtocolException.class, () -> RoutingKeys.read(deep));
    }

    @Test
    void routingKeysReadFlatAndNestedIds() {
        RoutingKeys delta = RoutingKeys.read(
                "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"th\",\"turnId\":\"tu\",\"delta\":\"x\"}}");
        assertEquals(new RoutingKeys(RoutingKeys.Kind.NOTIFICATION, null, "item/agentMessage/delta", "th", "tu"), delta);
        RoutingKeys completed = RoutingKeys.read(
                "{\"method\":\"turn/completed\",\"params\":{\"turn\":{\"items\":[{\"id\":\"i\"}],\"id\":\"tu\"},\"threadId\":\"th\"}}");
        assertEquals("tu", completed.turnId());
        assertEquals("th", completed.threadId());
        RoutingKeys started = RoutingKeys.read("{\"method\":\"thread/started\",\"params\":{\"thread\":{\"id\":\"th\"}}}");
        assertEquals("th", started.threadId());
        assertNull(started.turnId());
    }

    @Test
    void routingKeysAgreeWithFullDecode() {
        String[] lines = {
            "{\"id\":0,\"method\":\"item/commandExecution/requestApproval\",\"params\":{\"threadId\":\"a\",\"turnId\":\"b\",\"itemId\":\"c\"}}",
            "{\"id\":\"x\",\"result\":{\"turn\":{\"id\":\"t\"}}}",
            "{\"id\":1,\"error\":{\"code\":-32600,\"message\":\"no\"}}",
            "{\"method\":\"account/rateLimits/updated\",\"params\":{\"rateLimits\":{}}}",
            "{\"params\":{\"turnId\":\"flat\",\"turn\":{\"id\":\"nested\"}},\"method\":\"m\"}",
        };
        for (String line : lines) {
            assertEquals(RoutingKeys.of(ProtocolCodec.decode(line)), RoutingKeys.read(line), line);
        }
    }

    @Test
    void routingKeysKeepLoneSurrogatesAndNonAsciiExactly() {
        // read() parses the UTF-8 bytes, where a lone surrogate would become '?': it must not.
        String[] lines = {
            "{\"method\":\"m\ud800\",\"params\":{\"threadId\":\"th\udc00\",\"turnId\":\"tu\ud800x\"}}",
            "{\"id\":\"r\ud800\",\"method\":\"m\",\"params\":{\"thread\":{\"id\":\"\ud800\"}}}",
            "{\"method\":\"m?\",\"params\":{\"threadId\":\"th\u00e9\u4e2d\ud83d\ude00\",\"turnId\":\"?\",\"delta\":\"\udc00\"}}",
        };
        for (String line : lines) {
            assertEquals(RoutingKeys.of(ProtocolCodec.decode(line)), RoutingKeys.read(line), line);
        }
        assertEquals("tu\ud800x", RoutingKeys.read(lines[0]).turnId());
        assertEquals(RequestId.of("r\ud800"), RoutingKeys.read(lines[1]).id());
    }

    @Test
    void routingKeysRejectALoneSurrogateOutsideAStringWithTheCharParsersMessage() {
        String line = "{\"method\":\"m\",\"params\":\ud800}";
        ProtocolException e = assertThrows(ProtocolException.class, () -> RoutingKeys.read(line));
        assertTrue(e.getMessage().contains("\\ud800") || e.getMessage().contains("\ud800")
                || e.getMessage().contains("55296"), e.getMessage());
    }
}
