package dev.codex4j.examples;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexThread;
import dev.codex4j.Decision;
import dev.codex4j.McpServer;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.ResourceContent;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.testkit.McpTestServer;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;
import java.util.Map;

/**
 * An MCP server registered for one client, without touching {@code config.toml}: the model calls
 * its tools, one of which asks the user (an MCP elicitation, answered by the approval handler);
 * then the runtime operations of {@code codex.mcp()}. With the approval policy on-request, Codex
 * also asks before each call of a tool not marked read-only, as an elicitation of its own
 * ({@code Allow the test MCP server to run tool "echo"?}), which the same handler answers. The server is testkit's
 * {@link McpTestServer} (the official MCP Java SDK, over stdio) in both modes; offline, the mock
 * model calls {@code echo}, then {@code confirm}; live ({@code CODEX4J_LIVE=1}), your model decides.
 */
public final class McpTools {
    private McpTools() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (McpTestServer server = McpTestServer.create();
                ExampleSession session = ExampleSession.openPrepared(offline -> {
                    // a model without the search tool sees MCP tools directly (not behind tool_search)
                    ExampleSession.editCatalog(offline, "\"supports_search_tool\": true", "\"supports_search_tool\": false");
                    offline.server().defaultReply(request -> switch (request.toolOutputs().size()) {
                        case 0 -> ModelReply.namespacedFunctionCall("mcp__test", "echo", "{\"text\":\"hello\"}");
                        case 1 -> ModelReply.namespacedFunctionCall("mcp__test", "confirm", "{\"action\":\"deploy\"}");
                        default -> ModelReply.message("Echoed, and the deploy was confirmed.");
                    });
                }, b -> b.mcpServer(McpServer.stdio("test", server.command()).denyTools("add")
                                .startupTimeout(Duration.ofSeconds(60)).required(true).build())
                        .approvalHandler(request -> {
                            if (request instanceof ApprovalRequest.McpElicitation e) {
                                System.out.println("[elicitation] " + e.serverName() + ": " + e.message() + " -> accept");
                                return Decision.accept();
                            }
                            return Decision.refuse();
                        }))) {
            var codex = session.codex();
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalPolicy(AskForApproval.ON_REQUEST).build());
            RunResult r = thread.run("Echo hello, then deploy after asking me");
            for (ThreadItem.McpToolCall call : r.items(ThreadItem.McpToolCall.class)) {
                System.out.println("[mcp tool] " + call.server() + "/" + call.tool() + " " + call.status().value());
            }
            System.out.println(r.finalResponse().orElse("(no answer)"));

            codex.mcp().status().forEach(s -> System.out.println("[status] " + s.name() + " tools "
                    + s.tools().keySet().stream().sorted().toList()));
            ResourceContent greeting = codex.mcp().readResource("test", McpTestServer.GREETING_URI).contents().getFirst();
            System.out.println("[resource] " + (greeting instanceof ResourceContent.Text t ? t.text() : greeting));
            var direct = codex.mcp().callTool(thread.id(), "test", "echo", Map.of("text", "direct")); // no model involved
            System.out.println("[direct call] echo -> " + direct.content().getFirst());
        }
    }
}
