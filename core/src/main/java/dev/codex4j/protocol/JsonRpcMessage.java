package dev.codex4j.protocol;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One JSON-RPC message as it travels on the wire, with its payload as a JSON tree. The app-server
 * never writes {@code "jsonrpc"}; unknown top-level members are ignored. Typed views of the
 * payload come from {@code dev.codex4j.protocol.TypedCodec}.
 *
 * <pre>{@code
 * switch (ProtocolCodec.decode(line)) {
 *     case JsonRpcMessage.Notification n -> route(n.method(), n.params());
 *     case JsonRpcMessage.Request r -> answer(r.id(), r.method());
 *     case JsonRpcMessage.Response r -> complete(r.id(), r.result());
 *     case JsonRpcMessage.ErrorResponse e -> fail(e.id(), e.error());
 * }
 * }</pre>
 */
public sealed interface JsonRpcMessage {

    /**
     * A request: from the client, or a server request such as an approval.
     *
     * @param id the request id, echoed in the reply
     * @param method the method name
     * @param params the parameters ({@code {}} when the sender gave none)
     */
    record Request(RequestId id, String method, JsonNode params) implements JsonRpcMessage {
        /** All members required. */
        public Request {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(params, "params");
        }
    }

    /**
     * A notification.
     *
     * @param method the method name
     * @param params the parameters ({@code {}} when the sender gave none)
     * @param emittedAtMs when the server emitted it (epoch ms), a member outside the schema; or null
     */
    record Notification(String method, JsonNode params, @Nullable Long emittedAtMs) implements JsonRpcMessage {
        /** method and params required. */
        public Notification {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(params, "params");
        }
    }

    /**
     * A successful response.
     *
     * @param id the id of the request answered
     * @param result the result
     */
    record Response(RequestId id, JsonNode result) implements JsonRpcMessage {
        /** All members required. */
        public Response {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * An error response.
     *
     * @param id the id of the request answered, or null when the peer could not tell
     * @param error the error
     */
    record ErrorResponse(@Nullable RequestId id, RpcError error) implements JsonRpcMessage {
        /** error required. */
        public ErrorResponse {
            Objects.requireNonNull(error, "error");
        }
    }
}
