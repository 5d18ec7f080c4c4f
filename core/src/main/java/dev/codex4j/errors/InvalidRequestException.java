package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;

/**
 * JSON-RPC error -32600 (invalid request): the app-server's usual answer to an unknown method, bad parameters or an unknown thread id.
 *
 * <pre>{@code
 * catch (InvalidRequestException e) { log(e.rpcMessage()); }
 * }</pre>
 */
public class InvalidRequestException extends CodexRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the request's method
     * @param error the server's error
     */
    public InvalidRequestException(String method, RpcError error) {
        super(method, error);
    }
}
