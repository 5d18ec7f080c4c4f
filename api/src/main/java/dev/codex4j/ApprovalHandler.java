package dev.codex4j;

/**
 * Answers the server's approval requests. Called on a virtual thread of its own for each request,
 * so it may block (for example waiting for a person) without delaying anything else; the turn
 * waits for the answer.
 *
 * <p><b>The default fails closed</b>: commands, file changes and permission requests are
 * declined, MCP elicitations are declined, and anything else (user input, tool calls, requests
 * this SDK does not know) gets a JSON-RPC error reply. Nothing is ever accepted unless a handler
 * says so. A handler that throws sends a JSON-RPC error reply (the server fails that item).
 *
 * <pre>{@code
 * Codex codex = Codex.builder()
 *         .approvalHandler(request -> request instanceof ApprovalRequest.Command c  // as the shell runs it
 *                 && "/bin/bash -c 'ls'".equals(c.command()) ? Decision.accept() : Decision.decline())
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface ApprovalHandler {

    /**
     * @param request what the server asks
     * @return the answer
     * @throws Exception to send a JSON-RPC error reply instead
     */
    Decision decide(ApprovalRequest request) throws Exception;

    /**
     * The default: declines commands, file changes, permissions and elicitations; sends an error
     * reply to everything else.
     *
     * @return a handler that never accepts
     */
    static ApprovalHandler declineAll() {
        return request -> switch (request) {
            case ApprovalRequest.Command c -> Decision.decline();
            case ApprovalRequest.FileChange f -> Decision.decline();
            case ApprovalRequest.Permissions p -> Decision.decline();
            case ApprovalRequest.McpElicitation m -> Decision.decline();
            default -> throw new UnsupportedOperationException(
                    "no approval handler for " + request.method() + " (the default handler fails closed)");
        };
    }

    /**
     * <b>Dangerous</b>: lets the agent run any command and change any file it asks to, with the
     * permissions it asks for. Use only in throwaway sandboxes and tests. User input and tool
     * calls still get an error reply.
     *
     * @return a handler that accepts every command, file change, permission and elicitation
     */
    static ApprovalHandler acceptAll() {
        return request -> switch (request) {
            case ApprovalRequest.Command c -> Decision.accept();
            case ApprovalRequest.FileChange f -> Decision.accept();
            case ApprovalRequest.Permissions p -> Decision.accept();
            case ApprovalRequest.McpElicitation m -> Decision.accept();
            default -> throw new UnsupportedOperationException("acceptAll does not answer " + request.method());
        };
    }
}
