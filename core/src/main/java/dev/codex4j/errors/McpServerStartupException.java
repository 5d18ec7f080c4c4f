package dev.codex4j.errors;

import dev.codex4j.protocol.RpcError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A thread could not start, resume or fork because an MCP server registered as required
 * ({@code McpServer.Builder#required(true)}, {@code required = true} in Codex's configuration)
 * failed to start: its process exited, its handshake failed, or it did not answer within its
 * startup timeout. The server answers the request ({@code thread/start}, {@code thread/resume},
 * {@code thread/fork}, or any other that opens a thread's session) with a JSON-RPC error;
 * {@link CodexRpcException#of} recognises it, so every request that fails this way throws this
 * exception, whichever call sent it. An optional server that fails is not an error: it reports a
 * failed status ({@code McpServers#status()}) and the thread runs without its tools.
 *
 * <p>Codex 0.171.0 answers -32603 "error creating thread: Fatal error: Failed to initialize
 * session: required MCP servers failed to initialize: NAME: REASON" (several servers separated by
 * {@code "; "}); the names are read from that text.
 *
 * <pre>{@code
 * try {
 *     codex.startThread();
 * } catch (McpServerStartupException e) {
 *     System.err.println("MCP servers down: " + e.servers() + ": " + e.getMessage());
 * }
 * }</pre>
 */
public class McpServerStartupException extends CodexRpcException {
    private static final long serialVersionUID = 1L;
    private static final String MARKER = "required MCP servers failed to initialize: ";
    /** A server's name at the start of the list or after "; " (names are [A-Za-z0-9_-]). */
    private static final Pattern NAME = Pattern.compile("(?:^|;\\s*)([A-Za-z0-9_-]{1,64}): ");

    private final List<String> servers;

    /**
     * @param method the request that failed (for example {@code thread/resume})
     * @param error the server's error, which {@linkplain #matches matches}
     */
    public McpServerStartupException(String method, RpcError error) {
        this(method, error, servers(reasons(error.message())));
    }

    private McpServerStartupException(String method, RpcError error, List<String> servers) {
        super("Required MCP server" + (servers.size() == 1 ? " " : "s ") + String.join(", ", servers)
                + " failed to start, so " + method + " failed: " + reasons(error.message()), method, error);
        this.servers = List.copyOf(servers);
    }

    /**
     * @param error an error reply
     * @return whether it says that required MCP servers failed to start
     */
    public static boolean matches(RpcError error) {
        return error.message() != null && error.message().contains(MARKER);
    }

    private static String reasons(@Nullable String message) {
        int at = message == null ? -1 : message.indexOf(MARKER);
        return at < 0 ? String.valueOf(message) : message.substring(at + MARKER.length());
    }

    private static List<String> servers(String reasons) {
        List<String> names = new ArrayList<>();
        Matcher m = NAME.matcher(reasons);
        while (m.find()) {
            names.add(m.group(1));
        }
        if (names.isEmpty()) {
            names.add("(unnamed)");
        }
        return names;
    }

    /** @return the names of the required servers that failed */
    public List<String> servers() {
        return servers;
    }
}
