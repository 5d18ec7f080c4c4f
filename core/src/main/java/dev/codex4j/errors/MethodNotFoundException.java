package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;

/**
 * JSON-RPC error -32601 (method not found).
 *
 * <pre>{@code
 * catch (MethodNotFoundException e) { log(e.rpcMessage()); }
 * }</pre>
 */
public class MethodNotFoundException extends CodexRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the request's method
     * @param error the server's error
     */
    public MethodNotFoundException(String method, RpcError error) {
        super(method, error);
    }
}
