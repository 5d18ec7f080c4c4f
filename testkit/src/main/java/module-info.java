/**
 * Offline test tools: a mock model server ({@link dev.codex4j.testkit.MockModelServer}), an
 * offline Codex fixture ({@link dev.codex4j.testkit.OfflineCodex}) and a scripted fake app-server
 * ({@link dev.codex4j.testkit.FakeAppServer}).
 */
module dev.codex4j.testkit {
    requires transitive dev.codex4j.core;
    requires transitive tools.jackson.databind;
    requires jdk.httpserver;
    requires static org.jspecify;
    // McpTestServer's child process only (optional dependencies)
    requires static io.modelcontextprotocol.sdk.mcp.core;
    requires static io.modelcontextprotocol.sdk.mcp.json.jackson3;

    exports dev.codex4j.testkit;
}
