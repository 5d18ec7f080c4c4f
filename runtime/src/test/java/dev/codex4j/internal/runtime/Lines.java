package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.RpcError;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Builders for server lines in tests. */
final class Lines {
    private Lines() {}

    static String turnEvent(String method, String threadId, String turnId, int seq) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("threadId", threadId);
        p.put("turnId", turnId);
        p.put("seq", seq);
        return ProtocolCodec.encode(new JsonRpcMessage.Notification(method, p, 1L));
    }

    static String turnCompleted(String threadId, String turnId) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("threadId", threadId);
        p.putObject("turn").put("id", turnId).put("status", "completed");
        return ProtocolCodec.encode(new JsonRpcMessage.Notification("turn/completed", p, 1L));
    }

    static String threadEvent(String method, String threadId) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("threadId", threadId);
        return ProtocolCodec.encode(new JsonRpcMessage.Notification(method, p, null));
    }

    static String globalEvent(String method) {
        return ProtocolCodec.encode(new JsonRpcMessage.Notification(method, ProtocolCodec.emptyObject(), null));
    }

    static String result(RequestId id, JsonNode result) {
        return ProtocolCodec.encode(new JsonRpcMessage.Response(id, result));
    }

    static String error(RequestId id, int code, String message) {
        return ProtocolCodec.encode(new JsonRpcMessage.ErrorResponse(id, new RpcError(code, message, null)));
    }

    static String serverRequest(long id, String method, String threadId, String turnId) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("threadId", threadId);
        p.put("turnId", turnId);
        p.put("itemId", "item-1");
        return ProtocolCodec.encode(new JsonRpcMessage.Request(RequestId.of(id), method, p));
    }

    static ObjectNode obj(Map<String, ?> members) {
        return ProtocolCodec.objectOf(members);
    }

    static int seq(Inbound in) {
        return ((JsonRpcMessage.Notification) in.message()).params().path("seq").asInt();
    }
}
