package dev.codex4j.internal.sdk;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.McpServerStartupException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the error reply of a {@code thread/start} whose required MCP servers failed into an
 * {@link McpServerStartupException}. Codex 0.171.0 answers -32603 "error creating thread: Fatal
 * error: Failed to initialize session: required MCP servers failed to initialize: NAME: REASON".
 * Stateless.
 */
public final class McpStartup {
    private static final String MARKER = "required MCP servers failed to initialize: ";
    /** A server's name at the start of the list or after "; " (names are [A-Za-z0-9_-]). */
    private static final Pattern NAME = Pattern.compile("(?:^|;\\s*)([A-Za-z0-9_-]{1,64}): ");

    private McpStartup() {}

    /** @return the typed error, or {@code e} itself when it is about something else */
    public static CodexException translate(CodexRpcException e) {
        String message = e.rpcMessage();
        int at = message == null ? -1 : message.indexOf(MARKER);
        if (at < 0) {
            return e;
        }
        String rest = message.substring(at + MARKER.length());
        List<String> names = new ArrayList<>();
        Matcher m = NAME.matcher(rest);
        while (m.find()) {
            names.add(m.group(1));
        }
        if (names.isEmpty()) {
            names.add("(unnamed)");
        }
        return new McpServerStartupException(names, rest, e);
    }
}
