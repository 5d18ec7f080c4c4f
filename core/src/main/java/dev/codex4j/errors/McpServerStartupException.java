package dev.codex4j.errors;

import java.util.List;

/**
 * A thread could not start because an MCP server registered as required
 * ({@code McpServer.Builder#required(true)}, {@code required = true} in Codex's configuration)
 * failed to start: its process exited, its handshake failed, or it did not answer within its
 * startup timeout. The server's reply (a JSON-RPC error of {@code thread/start}) is the cause.
 * An optional server that fails is not an error: it reports a failed status
 * ({@code McpServers#status()}) and the thread runs without its tools.
 *
 * <pre>{@code
 * try {
 *     codex.startThread();
 * } catch (McpServerStartupException e) {
 *     System.err.println("MCP servers down: " + e.servers() + ": " + e.getMessage());
 * }
 * }</pre>
 */
public class McpServerStartupException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final List<String> servers;

    /**
     * @param servers the names of the required servers that failed, as the server named them
     * @param message what the server said
     * @param cause the {@code thread/start} error reply
     */
    public McpServerStartupException(List<String> servers, String message, CodexRpcException cause) {
        super("Required MCP server" + (servers.size() == 1 ? " " : "s ") + String.join(", ", servers)
                + " failed to start, so the thread did not start: " + message, cause);
        this.servers = List.copyOf(servers);
    }

    /** @return the names of the required servers that failed */
    public List<String> servers() {
        return servers;
    }
}
