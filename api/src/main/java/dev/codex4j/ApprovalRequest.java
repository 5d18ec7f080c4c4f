package dev.codex4j;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A question from Codex that the client must answer before the turn goes on: run this command?
 * apply this change? grant these permissions? Each kind is a record with the fields a reviewer
 * needs and {@code raw()}, the request's full parameters.
 *
 * <pre>{@code
 * ApprovalHandler handler = request -> switch (request) {
 *     case ApprovalRequest.Command c when "/bin/bash -c 'ls'".equals(c.command()) -> Decision.accept();
 *     case ApprovalRequest.Command c -> Decision.decline();
 *     default -> Decision.decline();
 * };
 * }</pre>
 */
public sealed interface ApprovalRequest {

    /** @return the protocol method, for example {@code item/commandExecution/requestApproval} */
    String method();

    /** @return the thread asking, or null when the request names none */
    @Nullable String threadId();

    /** @return the turn asking, or null when the request names none */
    @Nullable String turnId();

    /** @return the request's parameters as sent */
    JsonNode raw();

    /**
     * Run a command ({@code item/commandExecution/requestApproval}, or legacy {@code execCommandApproval}).
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn
     * @param itemId the command's item
     * @param command the command line, or null
     * @param cwd its working directory, or null
     * @param reason why it needs approval, or null
     * @param availableDecisions the decisions the server offers (wire names), or empty
     * @param raw the request's parameters
     */
    record Command(String method, @Nullable String threadId, @Nullable String turnId, @Nullable String itemId,
            @Nullable String command, @Nullable String cwd, @Nullable String reason, List<String> availableDecisions,
            JsonNode raw) implements ApprovalRequest {
        /** Copies the list. */
        public Command {
            availableDecisions = List.copyOf(availableDecisions);
        }
    }

    /**
     * Apply file changes ({@code item/fileChange/requestApproval}, or legacy {@code applyPatchApproval}).
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn
     * @param itemId the change's item
     * @param reason why it needs approval, or null
     * @param grantRoot a root the agent asks to write under for the session, or null
     * @param raw the request's parameters
     */
    record FileChange(String method, @Nullable String threadId, @Nullable String turnId, @Nullable String itemId,
            @Nullable String reason, @Nullable String grantRoot, JsonNode raw) implements ApprovalRequest {}

    /**
     * Grant extra permissions ({@code item/permissions/requestApproval}).
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn
     * @param itemId the item
     * @param reason why, or null
     * @param permissions the requested permission profile, as sent
     * @param raw the request's parameters
     */
    record Permissions(String method, @Nullable String threadId, @Nullable String turnId, @Nullable String itemId,
            @Nullable String reason, JsonNode permissions, JsonNode raw) implements ApprovalRequest {}

    /**
     * Questions for the user ({@code item/tool/requestUserInput}); answer with
     * {@link Decision#answers(java.util.Map)}.
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn
     * @param itemId the item
     * @param questions the questions, as sent (each has an {@code id})
     * @param raw the request's parameters
     */
    record UserInput(String method, @Nullable String threadId, @Nullable String turnId, @Nullable String itemId,
            JsonNode questions, JsonNode raw) implements ApprovalRequest {}

    /**
     * An MCP server asks the user for input ({@code mcpServer/elicitation/request}).
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn, or null
     * @param serverName the MCP server, or null
     * @param message what it asks, or null
     * @param raw the request's parameters
     */
    record McpElicitation(String method, @Nullable String threadId, @Nullable String turnId,
            @Nullable String serverName, @Nullable String message, JsonNode raw) implements ApprovalRequest {}

    /**
     * The model calls a client-side dynamic tool ({@code item/tool/call}); answer with
     * {@link Decision#toolResult(boolean, String)}.
     *
     * @param method the protocol method
     * @param threadId the thread
     * @param turnId the turn
     * @param callId the call id
     * @param tool the tool's name
     * @param arguments the arguments, as sent
     * @param raw the request's parameters
     */
    record ToolCall(String method, @Nullable String threadId, @Nullable String turnId, @Nullable String callId,
            @Nullable String tool, JsonNode arguments, JsonNode raw) implements ApprovalRequest {}

    /**
     * Any other server request (including ones newer than this SDK). Only {@link Decision#raw}
     * answers it; anything else sends a JSON-RPC error.
     *
     * @param method the protocol method
     * @param threadId the thread, or null
     * @param turnId the turn, or null
     * @param raw the request's parameters
     */
    record Unknown(String method, @Nullable String threadId, @Nullable String turnId, JsonNode raw)
            implements ApprovalRequest {}

    /** Builds the typed request for a server request's method and params. */
    static ApprovalRequest of(String method, JsonNode p) {
        String thread = text(p, "threadId");
        String turn = text(p, "turnId");
        return switch (method) {
            case "item/commandExecution/requestApproval" -> new Command(method, thread, turn, text(p, "itemId"),
                    commandText(p.get("command")), text(p, "cwd"), text(p, "reason"), decisions(p), p);
            case "execCommandApproval" -> new Command(method, text(p, "conversationId"), turn, text(p, "callId"),
                    commandText(p.get("command")), text(p, "cwd"), text(p, "reason"), List.of(), p);
            case "item/fileChange/requestApproval" -> new FileChange(method, thread, turn, text(p, "itemId"),
                    text(p, "reason"), text(p, "grantRoot"), p);
            case "applyPatchApproval" -> new FileChange(method, text(p, "conversationId"), turn, text(p, "callId"),
                    text(p, "reason"), text(p, "grantRoot"), p);
            case "item/permissions/requestApproval" -> new Permissions(method, thread, turn, text(p, "itemId"),
                    text(p, "reason"), p.path("permissions"), p);
            case "item/tool/requestUserInput" -> new UserInput(method, thread, turn, text(p, "itemId"),
                    p.path("questions"), p);
            case "mcpServer/elicitation/request" -> new McpElicitation(method, thread, turn, text(p, "serverName"),
                    text(p, "message"), p);
            case "item/tool/call" -> new ToolCall(method, thread, turn, text(p, "callId"), text(p, "tool"),
                    p.path("arguments"), p);
            default -> new Unknown(method, thread, turn, p);
        };
    }

    private static @Nullable String text(JsonNode p, String name) {
        JsonNode n = p.get(name);
        return n != null && n.isString() ? n.asString() : null;
    }

    private static @Nullable String commandText(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(e.asString()));
            return String.join(" ", parts);
        }
        return n.asString();
    }

    private static List<String> decisions(JsonNode p) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : p.path("availableDecisions")) {
            if (d.isString()) {
                out.add(d.asString());
            } else if (d.isObject() && d.properties().iterator().hasNext()) {
                out.add(d.properties().iterator().next().getKey());
            }
        }
        return out;
    }
}
