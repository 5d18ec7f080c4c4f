package dev.codex4j.protocol;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The {@code error} member of a JSON-RPC error response.
 *
 * <pre>{@code
 * RpcError overloaded = new RpcError(-32001, "Server overloaded; retry later.", null);
 * }</pre>
 *
 * @param code the error code (for example -32600 invalid request, -32001 server overloaded)
 * @param message the server's message
 * @param data extra data the server attached, or {@code null}
 */
public record RpcError(int code, String message, @Nullable JsonNode data) {
    /** Standard code: the JSON sent is not a valid request (the app-server's usual error). */
    public static final int INVALID_REQUEST = -32600;
    /** Standard code: the method does not exist. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Standard code: invalid method parameters. */
    public static final int INVALID_PARAMS = -32602;
    /** Standard code: internal error. */
    public static final int INTERNAL_ERROR = -32603;
    /** Standard code: the JSON could not be parsed. */
    public static final int PARSE_ERROR = -32700;
    /** The app-server's "Server overloaded; retry later." code. */
    public static final int SERVER_OVERLOADED = -32001;

    /** @param message not null */
    public RpcError {
        Objects.requireNonNull(message, "message");
    }
}
