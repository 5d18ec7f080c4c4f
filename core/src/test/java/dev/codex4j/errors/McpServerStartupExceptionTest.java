package dev.codex4j.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.RpcError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CodexRpcException#of} recognises a required MCP server's failure, whichever request it answers. */
class McpServerStartupExceptionTest {
    private static final String PREFIX = "error creating thread: Fatal error: Failed to initialize session: "
            + "required MCP servers failed to initialize: ";

    @Test
    void anErrorReplyNamingFailedRequiredServersBecomesTheTypedException() {
        RpcError error = new RpcError(RpcError.INTERNAL_ERROR, PREFIX + "docs: handshake failed: EOF; web-search: timed out",
                null);
        McpServerStartupException e = assertInstanceOf(McpServerStartupException.class,
                CodexRpcException.of("thread/resume", error));
        assertEquals(List.of("docs", "web-search"), e.servers());
        assertEquals("thread/resume", e.method());
        assertEquals(RpcError.INTERNAL_ERROR, e.code());
        assertEquals(error.message(), e.rpcMessage());
        assertTrue(e.getMessage().startsWith("Required MCP servers docs, web-search failed to start, so thread/resume"
                + " failed: docs: handshake failed"), e.getMessage());
    }

    @Test
    void otherErrorsStayWhatTheyWere() {
        RpcError other = new RpcError(RpcError.INTERNAL_ERROR, "error creating thread: something else", null);
        assertEquals(CodexRpcException.class, CodexRpcException.of("thread/start", other).getClass());
        RpcError invalid = new RpcError(RpcError.INVALID_REQUEST, "no rollout found for thread id x", null);
        assertInstanceOf(InvalidRequestException.class, CodexRpcException.of("thread/resume", invalid));
    }

    @Test
    void aServerWithoutANameIsStillTyped() {
        McpServerStartupException e = assertInstanceOf(McpServerStartupException.class, CodexRpcException.of("thread/fork",
                new RpcError(RpcError.INTERNAL_ERROR, PREFIX + "???", null)));
        assertEquals(List.of("(unnamed)"), e.servers());
    }
}
