package dev.codex4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A real MCP server for tests, built with the official MCP Java SDK, that the Codex CLI starts
 * over stdio: tools {@value #ECHO_TOOL} ({@code {"text"}} gives {@code "echo: <text>"}),
 * {@value #ADD_TOOL} ({@code {"a","b"}} gives their sum) and {@value #CONFIRM_TOOL} (asks the
 * client an MCP elicitation, see {@link #CONFIRM_TOOL}), and the resource {@value #GREETING_URI}
 * ({@value #GREETING_TEXT}). Each instance records the tool calls its processes received.
 *
 * <p>Needs {@code io.modelcontextprotocol.sdk:mcp-core} and {@code mcp-json-jackson3} on the test
 * class path (optional dependencies of testkit: add them to the tests that use this class).
 *
 * <pre>{@code
 * try (McpTestServer mcp = McpTestServer.create()) {
 *     Codex codex = Codex.builder().launch(offline.launch())
 *             .mcpServer(McpServer.stdio("test", mcp.command()).required(true).build()).build();
 *     ...
 *     assertEquals(List.of("echo {\"text\":\"hi\"}"), mcp.calls());
 * }
 * }</pre>
 */
public final class McpTestServer implements AutoCloseable {
    /** The server's name in its {@code initialize} reply. */
    public static final String SERVER_NAME = "codex4j-test-mcp";
    /** The echo tool. */
    public static final String ECHO_TOOL = "echo";
    /** The adding tool. */
    public static final String ADD_TOOL = "add";
    /**
     * The confirming tool: {@code {"action"}} asks the client a form elicitation whose message is
     * {@value #CONFIRM_PREFIX}{@code <action>?}, then answers {@value #CONFIRM_ANSWER_PREFIX}
     * {@code <accept|decline|cancel> <content-json>}.
     */
    public static final String CONFIRM_TOOL = "confirm";
    /** The start of the confirming tool's elicitation message. */
    public static final String CONFIRM_PREFIX = "Really ";
    /** The start of the confirming tool's result. */
    public static final String CONFIRM_ANSWER_PREFIX = "the user answered: ";
    /** The one resource. */
    public static final String GREETING_URI = "test://greeting";
    /** The resource's text. */
    public static final String GREETING_TEXT = "hello from the codex4j test MCP server";

    private static final String MAIN = "dev.codex4j.testkit.McpTestServerMain";

    private final Path dir;
    private final Path record;
    private final boolean failing;

    private McpTestServer(Path dir, Path record, boolean failing) {
        this.dir = dir;
        this.record = record;
        this.failing = failing;
    }

    /** @return a server that starts and serves its tools */
    public static McpTestServer create() {
        return create(false);
    }

    /** @return a server whose process exits 3 at once: one that fails to start */
    public static McpTestServer failing() {
        return create(true);
    }

    private static McpTestServer create(boolean failing) {
        try {
            Path dir = Files.createTempDirectory("codex4j-mcp-test-server-").toRealPath();
            return new McpTestServer(dir, Files.createFile(dir.resolve("calls.txt")), failing);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the test MCP server", e);
        }
    }

    /** @return the command line that starts the server (the JDK's {@code java} and this class path) */
    public List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(), MAIN,
                record.toString()));
        if (failing) {
            cmd.add("--fail");
        }
        return List.copyOf(cmd);
    }

    /** @return the tool calls received so far, one {@code tool arguments-json} line each, in order */
    public List<String> calls() {
        try {
            return Files.readAllLines(record, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the record (the server's processes end with the Codex CLI that started them). */
    @Override
    public void close() {
        OfflineCodex.deleteTree(dir);
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String name : List.of(MAIN, "io.modelcontextprotocol.server.McpServer",
                "io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper", "tools.jackson.databind.json.JsonMapper",
                "tools.jackson.core.JsonParser", "com.fasterxml.jackson.annotation.JsonProperty",
                "reactor.core.publisher.Mono", "org.reactivestreams.Publisher", "org.slf4j.LoggerFactory")) {
            try {
                CodeSource src = Class.forName(name, false, McpTestServer.class.getClassLoader()).getProtectionDomain()
                        .getCodeSource();
                if (src != null && src.getLocation() != null) {
                    entries.add(Path.of(src.getLocation().toURI()).toString());
                }
            } catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException | LinkageError e) {
                // not visible from here: the class path below may have it
            }
        }
        String cp = System.getProperty("java.class.path", "");
        if (!cp.isEmpty()) {
            entries.add(cp);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
