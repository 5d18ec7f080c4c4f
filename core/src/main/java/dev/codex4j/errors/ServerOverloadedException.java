package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;
import tools.jackson.databind.JsonNode;

/**
 * The app-server is overloaded (code -32001, or error data that says {@code retryable} or
 * {@code serverOverloaded}). The runtime retries these with backoff before it gives up and
 * throws this.
 *
 * <pre>{@code
 * catch (ServerOverloadedException e) { scheduleLater(); }
 * }</pre>
 */
public class ServerOverloadedException extends CodexRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the request's method
     * @param error the server's error
     */
    public ServerOverloadedException(String method, RpcError error) {
        super(method, error);
    }

    /**
     * @param error an error reply
     * @return whether it means "overloaded, retry later"
     */
    public static boolean matches(RpcError error) {
        if (error.code() == RpcError.SERVER_OVERLOADED) {
            return true;
        }
        JsonNode data = error.data();
        if (data == null) {
            return false;
        }
        if (data.path("retryable").asBoolean(false) || data.path("serverOverloaded").asBoolean(false)) {
            return true;
        }
        JsonNode info = data.path("codexErrorInfo");
        return info.isString() && info.asString().equals("serverOverloaded") || info.has("serverOverloaded");
    }
}
