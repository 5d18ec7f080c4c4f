package dev.codex4j;

import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ListMcpServerStatusParams;
import dev.codex4j.protocol.types.ListMcpServerStatusResponse;
import dev.codex4j.protocol.types.McpResourceReadParams;
import dev.codex4j.protocol.types.McpResourceReadResponse;
import dev.codex4j.protocol.types.McpServerOauthLoginParams;
import dev.codex4j.protocol.types.McpServerOauthLoginResponse;
import dev.codex4j.protocol.types.McpServerStatus;
import dev.codex4j.protocol.types.McpServerStatusUpdatedNotification;
import dev.codex4j.protocol.types.McpServerToolCallParams;
import dev.codex4j.protocol.types.McpServerToolCallResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The MCP servers of one client's app-server, at run time: their status, reload, OAuth sign-in,
 * reading a resource and calling a tool directly, each a typed request of the pinned protocol.
 * From {@link Codex#mcp()}; holds nothing but the client, so it is as thread-safe as the client.
 * Servers are registered with {@link CodexBuilder#mcpServer(McpServer)} (or in Codex's own
 * configuration); their tools reach the model as {@code mcp__<server>__<tool>} and their calls
 * arrive as {@link dev.codex4j.protocol.types.ThreadItem.McpToolCall} items. An MCP server's
 * elicitation ({@code mcpServer/elicitation/request}) reaches the {@link ApprovalHandler} (or the
 * {@link ApprovalInbox}) as {@link ApprovalRequest.McpElicitation}; the default refuses it.
 *
 * <pre>{@code
 * for (McpServerStatus s : codex.mcp().status()) {
 *     System.out.println(s.name() + ": " + (s.toolsError() != null ? s.toolsError() : s.tools().keySet()));
 * }
 * McpServerToolCallResponse sum = codex.mcp().callTool(thread.id(), "calc", "add", Map.of("a", 2, "b", 3));
 * }</pre>
 */
public final class McpServers {
    private final Codex codex;

    McpServers(Codex codex) {
        this.codex = codex;
    }

    /**
     * The status of every MCP server ({@code mcpServerStatus/list}, all pages): its tools,
     * resources, server info and auth status; a server that failed to start has no tools and a
     * {@code toolsError} that says why ({@code "MCP startup failed: ..."}).
     *
     * @return the servers, by name as the server orders them
     */
    public List<McpServerStatus> status() {
        List<McpServerStatus> out = new ArrayList<>();
        String cursor = null;
        do {
            ListMcpServerStatusParams.Builder p = ListMcpServerStatusParams.builder();
            if (cursor != null) {
                p.cursor(cursor);
            }
            ListMcpServerStatusResponse r = codex.request(ClientMethods.MCP_SERVER_STATUS_LIST, p.build());
            out.addAll(r.data());
            cursor = r.nextCursor();
        } while (cursor != null);
        return List.copyOf(out);
    }

    /**
     * @param name a server's name
     * @return its status, or empty when the app-server has no server of that name
     */
    public Optional<McpServerStatus> status(String name) {
        Objects.requireNonNull(name, "name");
        return status().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * Reloads the MCP servers from the configuration ({@code config/mcpServer/reload}): threads
     * started afterwards get the servers as configured now.
     */
    public void reload() {
        codex.request(ClientMethods.CONFIG_MCP_SERVER_RELOAD, null);
    }

    /**
     * Starts the OAuth sign-in of a streamable HTTP server ({@code mcpServer/oauth/login}). Open
     * the returned {@code authorizationUrl} in a browser; its end arrives as the global
     * notification {@link ServerNotification.McpServerOauthLoginCompleted} ({@link Codex#subscribe}).
     *
     * @param name the server's name
     * @return the URL to open (and the login's id)
     * @throws dev.codex4j.errors.CodexRpcException when the server cannot start it (no such
     *     server, or its OAuth metadata cannot be discovered), with the server's reason
     */
    public McpServerOauthLoginResponse oauthLogin(String name) {
        return oauthLogin(McpServerOauthLoginParams.builder().name(Objects.requireNonNull(name, "name")).build());
    }

    /**
     * @param params the server, scopes, timeout, client registration
     * @return the URL to open (and the login's id)
     * @see #oauthLogin(String)
     */
    public McpServerOauthLoginResponse oauthLogin(McpServerOauthLoginParams params) {
        return codex.request(ClientMethods.MCP_SERVER_OAUTH_LOGIN, Objects.requireNonNull(params, "params"));
    }

    /**
     * Reads one resource of a server ({@code mcpServer/resource/read}).
     *
     * @param server the server's name
     * @param uri the resource's URI, as its status lists it
     * @return its contents (text or blobs)
     * @throws dev.codex4j.errors.CodexRpcException for an unknown server or resource, with the server's reason
     */
    public McpResourceReadResponse readResource(String server, String uri) {
        return codex.request(ClientMethods.MCP_SERVER_RESOURCE_READ, McpResourceReadParams.builder()
                .server(Objects.requireNonNull(server, "server")).uri(Objects.requireNonNull(uri, "uri")).build());
    }

    /**
     * Calls a tool of a server directly, outside any turn ({@code mcpServer/tool/call}), on a
     * thread's behalf: the model does not see the call.
     *
     * @param threadId the thread whose servers to use
     * @param server the server's name
     * @param tool the tool's name (as the server names it, without the {@code mcp__} prefix)
     * @param arguments the arguments: a {@code JsonNode} object, a map, a record, or null for none
     * @return the tool's result: its content, {@code isError} (the tool's own failure, not an
     *     exception), structured content
     * @throws dev.codex4j.errors.CodexRpcException when the server cannot call it (no such thread,
     *     server or tool), with the server's reason
     * @throws IllegalArgumentException when the arguments are not a JSON object
     */
    public McpServerToolCallResponse callTool(String threadId, String server, String tool, Object arguments) {
        JsonNode args = arguments == null ? JsonNodeFactory.instance.objectNode()
                : arguments instanceof JsonNode n ? n : dev.codex4j.internal.sdk.JsonShape.MAPPER.valueToTree(arguments);
        if (!args.isObject()) {
            throw new IllegalArgumentException("The arguments of MCP tool " + server + "/" + tool
                    + " must be a JSON object, not " + args);
        }
        return codex.request(ClientMethods.MCP_SERVER_TOOL_CALL, McpServerToolCallParams.builder()
                .threadId(Objects.requireNonNull(threadId, "threadId")).server(Objects.requireNonNull(server, "server"))
                .tool(Objects.requireNonNull(tool, "tool")).arguments(args).build());
    }

    /**
     * Listens to the servers' startup states ({@code mcpServer/startupStatus/updated}: starting,
     * ready, failed, cancelled) that name no thread. Servers that start with a thread (0.171.0
     * starts them during {@code thread/start}) report on that thread: see {@link CodexThread#subscribe}.
     *
     * @param listener called on the subscription's own virtual thread, in order
     * @return the subscription; close it to stop
     */
    public Subscription onStartupStatus(Consumer<? super McpServerStatusUpdatedNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        return codex.subscribe(n -> {
            if (n instanceof ServerNotification.McpServerStartupStatusUpdated u) {
                listener.accept(u.params());
            }
        });
    }
}
