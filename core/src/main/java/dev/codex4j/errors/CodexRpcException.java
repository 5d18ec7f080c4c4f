package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The app-server answered a request with a JSON-RPC error. {@link #of} picks the subclass that
 * matches the code, so callers can catch {@link ServerOverloadedException} or
 * {@link InvalidRequestException} on their own.
 *
 * <pre>{@code
 * try {
 *     codex.resumeThread("no-such-id");
 * } catch (CodexRpcException e) {
 *     System.err.println(e.code() + ": " + e.rpcMessage());
 * }
 * }</pre>
 */
public class CodexRpcException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final int code;
    private final String rpcMessage;
    private final transient @Nullable JsonNode data;

    /**
     * @param method the method of the request that failed
     * @param error the server's error
     */
    public CodexRpcException(String method, RpcError error) {
        super(method + " failed with JSON-RPC error " + error.code() + ": " + error.message()
                + (error.data() == null ? "" : " (data: " + error.data() + ")"));
        this.method = method;
        this.code = error.code();
        this.rpcMessage = error.message();
        this.data = error.data();
    }

    /**
     * For subclasses that say what the error means in their own words.
     *
     * @param message the exception's message
     * @param method the method of the request that failed
     * @param error the server's error
     */
    protected CodexRpcException(String message, String method, RpcError error) {
        super(message);
        this.method = method;
        this.code = error.code();
        this.rpcMessage = error.message();
        this.data = error.data();
    }

    /**
     * The exception for an error reply: overloaded, invalid request, invalid params, method not
     * found, required MCP servers that failed to start ({@link McpServerStartupException}, whatever
     * request opened the thread), or this class for any other code. Every error reply of a request
     * becomes an exception here, and only here.
     *
     * @param method the method of the request that failed
     * @param error the server's error
     * @return the most specific exception
     */
    public static CodexRpcException of(String method, RpcError error) {
        if (ServerOverloadedException.matches(error)) {
            return new ServerOverloadedException(method, error);
        }
        if (McpServerStartupException.matches(error)) {
            return new McpServerStartupException(method, error);
        }
        return switch (error.code()) {
            case RpcError.INVALID_REQUEST -> new InvalidRequestException(method, error);
            case RpcError.INVALID_PARAMS -> new InvalidParamsException(method, error);
            case RpcError.METHOD_NOT_FOUND -> new MethodNotFoundException(method, error);
            default -> new CodexRpcException(method, error);
        };
    }

    /** @return the method of the request that failed */
    public String method() {
        return method;
    }

    /** @return the JSON-RPC error code */
    public int code() {
        return code;
    }

    /** @return the server's message, as sent */
    public String rpcMessage() {
        return rpcMessage;
    }

    /** @return the error's data member, or null */
    public @Nullable JsonNode data() {
        return data;
    }
}
