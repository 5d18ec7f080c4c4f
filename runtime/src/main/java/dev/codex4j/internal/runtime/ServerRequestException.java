package dev.codex4j.internal.runtime;

/**
 * Thrown by a {@link ServerRequestHandler} to answer with a JSON-RPC error of a chosen code.
 *
 * <pre>{@code
 * connection.serverRequestHandler(request -> {
 *     throw new ServerRequestException(-32601, "not supported: " + request.method());
 * });
 * }</pre>
 */
public class ServerRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code the JSON-RPC error code of the reply
     * @param message the error message of the reply
     */
    public ServerRequestException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** @return the JSON-RPC error code of the reply */
    public int code() {
        return code;
    }
}
