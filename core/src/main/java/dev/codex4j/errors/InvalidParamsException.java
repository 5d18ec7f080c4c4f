package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;

/**
 * JSON-RPC error -32602 (invalid params), for example input over the server's size limit.
 *
 * <pre>{@code
 * catch (InvalidParamsException e) { log(e.rpcMessage()); }
 * }</pre>
 */
public class InvalidParamsException extends CodexRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the request's method
     * @param error the server's error
     */
    public InvalidParamsException(String method, RpcError error) {
        super(method, error);
    }
}
