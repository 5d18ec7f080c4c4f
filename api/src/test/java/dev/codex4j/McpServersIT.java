package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.McpServerStartupException;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.McpServerElicitationRequestParams;
import dev.codex4j.protocol.types.McpServerStatus;
import dev.codex4j.protocol.types.McpServerToolCallResponse;
import dev.codex4j.protocol.types.ResourceContent;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadStartParams;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.McpTestServer;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.RecordedRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MCP servers registered per client against the real Codex CLI: a real MCP server (testkit's
 * {@link McpTestServer}, the official MCP Java SDK over stdio) whose tool the mock model calls,
 * the runtime operations, an elicitation the server asks during a tool call (answered by the
 * approval handler), and a server that fails to start, required and optional.
 */
class McpServersIT {
    private OfflineCodex offline;
    private McpTestServer mcp;
    private McpTestServer broken;

    @BeforeEach
    void start() throws Exception {
        offline = OfflineCodex.start();
        // a model without the search tool: 0.171.0 then offers MCP tools to it directly, not behind tool_search
        Path catalog = offline.codexHome().resolve("mock_model_catalog.json");
        String json = Files.readString(catalog);
        assertTrue(json.contains("\"supports_search_tool\": true"), "the mock catalog changed");
        Files.writeString(catalog, json.replace("\"supports_search_tool\": true", "\"supports_search_tool\": false"));
        mcp = McpTestServer.create();
        broken = McpTestServer.failing();
    }

    @AfterEach
    void stop() {
        offline.close();
        mcp.close();
        broken.close();
    }

    private McpServer testServer() {
        return McpServer.stdio("test", mcp.command()).startupTimeout(Duration.ofSeconds(60)).denyTools("add", McpTestServer.CONFIRM_TOOL)
                .required(true).build();
    }

    @Test
    void theModelCallsTheServersToolAndTheRuntimeOperationsAreTyped() {
        offline.server().defaultReply(req -> req.isToolFollowUp() ? ModelReply.message("done")
                : ModelReply.namespacedFunctionCall("mcp__test", "echo", "{\"text\":\"hi\"}"));
        try (Codex codex = Codex.builder().launch(offline.launch())
                .mcpServer(testServer())
                .mcpServer(McpServer.stdio("broken", broken.command()).startupTimeout(Duration.ofSeconds(60)).build())
                .mcpServer(McpServer.http("web", URI.create("http://127.0.0.1:9/mcp")).startupTimeout(Duration.ofSeconds(5))
                        .build())
                .build()) {
            CodexThread thread = codex.startThread();
            RunResult r = thread.run("echo hi");
            assertEquals(TurnStatus.COMPLETED, r.status());

            // the model saw the allowed tool only, and its call went through the CLI to the server
            // 0.171.0 offers a server's tools as one namespace, mcp__<server>
            List<String> offered = new ArrayList<>();
            offline.server().requests().getFirst().body().path("tools").forEach(t -> {
                if (t.path("name").asString("").equals("mcp__test")) {
                    t.path("tools").forEach(f -> offered.add(f.path("name").asString("")));
                }
            });
            assertEquals(List.of("echo"), offered, "the deny list did not hold: " + offered);
            ThreadItem.McpToolCall call = r.items(ThreadItem.McpToolCall.class).getFirst();
            assertEquals("test", call.server());
            assertEquals("echo", call.tool());
            RecordedRequest followUp = offline.server().requests().stream().filter(RecordedRequest::isToolFollowUp)
                    .findFirst().orElseThrow();
            assertTrue(followUp.toolOutputs().getFirst().toString().contains("echo: hi"), followUp.toolOutputs().toString());

            // status: the good server with its tools and resource, the broken ones with why they failed
            McpServerStatus test = codex.mcp().status("test").orElseThrow();
            assertEquals(McpTestServer.SERVER_NAME, test.serverInfo().name());
            assertTrue(test.tools().containsKey("echo"), test.tools().keySet().toString());
            assertEquals(McpTestServer.GREETING_URI, test.resources().getFirst().uri());
            assertTrue(codex.mcp().status("broken").orElseThrow().toolsError().contains("MCP startup failed"));
            assertTrue(codex.mcp().status("web").orElseThrow().toolsError().contains("MCP startup failed"));
            assertTrue(codex.mcp().status("nope").isEmpty());

            // a resource and a direct tool call; a denied tool is denied to direct calls too
            ResourceContent content = codex.mcp().readResource("test", McpTestServer.GREETING_URI).contents().getFirst();
            assertEquals(McpTestServer.GREETING_TEXT, assertInstanceOf(ResourceContent.Text.class, content).text());
            McpServerToolCallResponse sum = codex.mcp().callTool(thread.id(), "test", "echo", Map.of("text", "direct"));
            assertEquals(Boolean.FALSE, sum.isError());
            assertTrue(sum.content().getFirst().toString().contains("echo: direct"), sum.content().toString());
            CodexRpcException denied = assertThrows(CodexRpcException.class,
                    () -> codex.mcp().callTool(thread.id(), "test", "add", Map.of("a", 2, "b", 3)));
            assertTrue(denied.rpcMessage().contains("tool 'add' is disabled"), denied.getMessage());
            assertEquals(List.of("echo {\"text\":\"hi\"}", "echo {\"text\":\"direct\"}"), mcp.calls());

            codex.mcp().reload();
            CodexRpcException oauth = assertThrows(CodexRpcException.class, () -> codex.mcp().oauthLogin("web"));
            assertTrue(oauth.rpcMessage().contains("web"), oauth.getMessage());
            assertThrows(IllegalArgumentException.class, () -> codex.mcp().callTool(thread.id(), "test", "echo", List.of(1)));
        }
    }

    @Test
    void anElicitationOfTheServerDuringAToolCallIsAnsweredByTheApprovalHandler() {
        offline.server().defaultReply(req -> req.isToolFollowUp() ? ModelReply.message("done")
                : ModelReply.namespacedFunctionCall("mcp__test", McpTestServer.CONFIRM_TOOL, "{\"action\":\"deploy\"}"));
        List<ApprovalRequest.McpElicitation> asked = new CopyOnWriteArrayList<>();
        try (Codex codex = Codex.builder().launch(offline.launch())
                .mcpServer(McpServer.stdio("test", mcp.command()).startupTimeout(Duration.ofSeconds(60)).required(true).build())
                .approvalHandler(request -> {
                    if (!(request instanceof ApprovalRequest.McpElicitation m)) {
                        return Decision.refuse();
                    }
                    asked.add(m);
                    // the server's own question: yes the first time, no the second; Codex's approval of the call: yes
                    long serverAsked = asked.stream().filter(a -> a.message().startsWith(McpTestServer.CONFIRM_PREFIX)).count();
                    return m.message().startsWith(McpTestServer.CONFIRM_PREFIX) && serverAsked > 1
                            ? Decision.decline() : Decision.accept();
                })
                .build()) {
            // on-request: Codex 0.171.0 itself asks (as an elicitation) before it calls a tool without readOnlyHint
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalPolicy(AskForApproval.ON_REQUEST).build());
            assertEquals(TurnStatus.COMPLETED, thread.run("deploy, after asking").status());
            assertEquals(TurnStatus.COMPLETED, thread.run("deploy again, after asking").status());

            String approval = "Allow the test MCP server to run tool \"confirm\"?";
            String question = McpTestServer.CONFIRM_PREFIX + "deploy?";
            assertEquals(List.of(approval, question, approval, question),
                    asked.stream().map(ApprovalRequest.McpElicitation::message).toList());
            ApprovalRequest.McpElicitation toolApproval = asked.get(0);
            assertEquals("mcp_tool_call", assertInstanceOf(McpServerElicitationRequestParams.Form.class, toolApproval.params())
                    .meta().path("codex_approval_kind").asString(""));
            ApprovalRequest.McpElicitation serverQuestion = asked.get(1);
            assertEquals("test", serverQuestion.serverName());
            var form = assertInstanceOf(McpServerElicitationRequestParams.Form.class, serverQuestion.params());
            assertTrue(form.requestedSchema().properties().containsKey("note"), form.toString());
            assertEquals(List.of(Decision.accept(), Decision.decline(), Decision.cancel()), serverQuestion.availableDecisions());

            // the server got the answers: the tool's result, which the model received, says so
            List<String> outputs = offline.server().requests().stream().filter(RecordedRequest::isToolFollowUp)
                    .map(q -> q.toolOutputs().getLast().toString()).toList(); // the latest call of each turn
            assertEquals(2, outputs.size(), outputs.toString());
            assertTrue(outputs.get(0).contains(McpTestServer.CONFIRM_ANSWER_PREFIX + "accept {}"), outputs.get(0));
            assertTrue(outputs.get(1).contains(McpTestServer.CONFIRM_ANSWER_PREFIX + "decline"), outputs.get(1));
            assertEquals(2, mcp.calls().size(), mcp.calls().toString());
        }
    }

    @Test
    void aRequiredServerThatFailsToStartIsATypedErrorOfStartThread() {
        try (Codex codex = Codex.builder().launch(offline.launch())
                .mcpServer(McpServer.stdio("broken", broken.command()).startupTimeout(Duration.ofSeconds(60)).required(true)
                        .build())
                .build()) {
            McpServerStartupException e = assertThrows(McpServerStartupException.class, codex::startThread);
            assertEquals(List.of("broken"), e.servers());
            assertEquals("thread/start", e.method()); // a CodexRpcException: the server's reply as it came
            assertEquals(-32603, e.code());
            assertTrue(e.getMessage().contains("broken"), e.getMessage());
        }
    }

    @Test
    void aRequiredServerThatFailsToStartIsATypedErrorOfResumeAndFork() {
        offline.server().defaultReply(req -> ModelReply.message("saved"));
        String saved;
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) { // no MCP server: the thread is saved
            CodexThread thread = codex.startThread();
            assertEquals("saved", thread.run("remember this").finalResponse().orElseThrow());
            saved = thread.id();
        }
        try (Codex codex = Codex.builder().launch(offline.launch())
                .mcpServer(McpServer.stdio("broken", broken.command()).startupTimeout(Duration.ofSeconds(60)).required(true)
                        .build())
                .build()) {
            McpServerStartupException resume = assertThrows(McpServerStartupException.class, () -> codex.resumeThread(saved));
            assertEquals(List.of("broken"), resume.servers());
            assertEquals("thread/resume", resume.method());
            assertTrue(resume.getMessage().contains("broken"), resume.getMessage());
            McpServerStartupException fork = assertThrows(McpServerStartupException.class, () -> codex.forkThread(saved));
            assertEquals(List.of("broken"), fork.servers());
            assertEquals("thread/fork", fork.method());
            // a raw request is recognised the same way: the error becomes this exception where every error reply does
            McpServerStartupException raw = assertThrows(McpServerStartupException.class,
                    () -> codex.request(ClientMethods.THREAD_START, ThreadStartParams.builder().build()));
            assertEquals(List.of("broken"), raw.servers());
        }
    }
}
