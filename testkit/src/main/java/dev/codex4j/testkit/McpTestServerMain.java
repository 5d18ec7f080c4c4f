package dev.codex4j.testkit;

import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.json.JsonMapper;

/**
 * The child-process entry of {@link McpTestServer}: an MCP server over stdio, built with the
 * official MCP Java SDK (its tool {@code confirm} asks the client an elicitation). {@code McpTestServerMain RECORD [--fail]}: appends each tool call to
 * RECORD (one line, {@code tool arguments-json}); with {@code --fail} it exits 3 at once, a server
 * that fails to start.
 */
final class McpTestServerMain {
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(JsonMapper.builder().build());

    private McpTestServerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: McpTestServerMain RECORD [--fail]");
            Runtime.getRuntime().halt(2);
        }
        if (List.of(args).contains("--fail")) {
            System.err.println("codex4j test MCP server: told to fail at startup");
            Runtime.getRuntime().halt(3);
        }
        Path record = Path.of(args[0]);
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(JsonMapper.builder().build());
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json))
                .serverInfo(McpTestServer.SERVER_NAME, "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
                .tools(tool(json, record, McpTestServer.ECHO_TOOL, "Echoes a text back",
                                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
                                (x, a) -> "echo: " + a.get("text")),
                        tool(json, record, McpTestServer.ADD_TOOL, "Adds two integers",
                                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},"
                                        + "\"required\":[\"a\",\"b\"]}",
                                (x, a) -> String.valueOf(((Number) a.get("a")).longValue() + ((Number) a.get("b")).longValue())),
                        tool(json, record, McpTestServer.CONFIRM_TOOL, "Asks the user to confirm an action, then reports the answer",
                                "{\"type\":\"object\",\"properties\":{\"action\":{\"type\":\"string\"}},\"required\":[\"action\"]}",
                                McpTestServerMain::confirm))
                .resources(new McpServerFeatures.SyncResourceSpecification(
                        McpSchema.Resource.builder().uri(McpTestServer.GREETING_URI).name("greeting")
                                .mimeType("text/plain").build(),
                        (exchange, request) -> new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(
                                request.uri(), "text/plain", McpTestServer.GREETING_TEXT)))))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        // The transport's threads serve stdin; the server ends with its parent (the Codex CLI), so
        // that no test leaves it behind.
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        new CountDownLatch(1).await();
    }

    private interface Body {
        String apply(McpSyncServerExchange exchange, Map<String, Object> arguments);
    }

    /** Asks the client (the Codex CLI) a form elicitation and reports the user's answer. */
    private static String confirm(McpSyncServerExchange exchange, Map<String, Object> arguments) {
        McpSchema.ElicitResult answer = exchange.createElicitation(McpSchema.ElicitFormRequest.builder(
                McpTestServer.CONFIRM_PREFIX + arguments.get("action") + "?",
                Map.of("type", "object", "properties",
                        Map.of("note", Map.of("type", "string", "description", "anything to add")))).build());
        return McpTestServer.CONFIRM_ANSWER_PREFIX + answer.action().name().toLowerCase(java.util.Locale.ROOT)
                + " " + json(answer.content());
    }

    private static String json(Object value) {
        try {
            return value == null ? "{}" : JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static McpServerFeatures.SyncToolSpecification tool(JacksonMcpJsonMapper json, Path record, String name,
            String description, String schema, Body body) {
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description).inputSchema(json, schema).build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
            try {
                Files.writeString(record, name + " " + json.writeValueAsString(arguments) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return McpSchema.CallToolResult.builder().addTextContent(body.apply(exchange, arguments)).isError(false).build();
        }).build();
    }
}
