package dev.codex4j;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An MCP server the Codex CLI of one client starts (stdio) or connects to (streamable HTTP),
 * registered with {@link CodexBuilder#mcpServer(McpServer)}. It is passed to the CLI as one
 * {@code -c mcp_servers.<name>={...}} override on its command line: the user's
 * {@code config.toml} is never read or written, and a server of the same name there is replaced
 * for this client only. Immutable.
 *
 * <p><b>Startup.</b> A {@link Builder#required(boolean) required} server that fails to start
 * fails {@code thread/start} (and {@link Codex#startThread()}) with an
 * {@link dev.codex4j.errors.McpServerStartupException} naming it; an optional one (the default)
 * only reports its failure in {@link McpServers#status()} ({@code toolsError}), and
 * the thread runs without its tools.
 *
 * <pre>{@code
 * Codex codex = Codex.builder()
 *         .mcpServer(McpServer.stdio("docs", "npx", "-y", "@acme/docs-mcp")
 *                 .env("DOCS_TOKEN", token).allowTools("search", "fetch").required(true).build())
 *         .mcpServer(McpServer.http("tracker", URI.create("https://mcp.example.com/mcp"))
 *                 .bearerTokenEnvVar("TRACKER_TOKEN").denyTools("delete_issue")
 *                 .toolTimeout(Duration.ofSeconds(30)).build())
 *         .build();
 * }</pre>
 */
public final class McpServer {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** How the CLI reaches the server. */
    public sealed interface Transport {
        /**
         * A process the CLI starts, speaking MCP on its stdin and stdout.
         *
         * @param command the executable
         * @param args its arguments
         * @param env extra environment variables of the process
         * @param cwd its working directory, or null for the CLI's
         */
        record Stdio(String command, List<String> args, Map<String, String> env, @Nullable Path cwd) implements Transport {
            /** Copies. */
            public Stdio {
                Objects.requireNonNull(command, "command");
                args = List.copyOf(args);
                env = Map.copyOf(env);
            }
        }

        /**
         * A server the CLI connects to over streamable HTTP.
         *
         * @param url its endpoint
         * @param bearerTokenEnvVar the environment variable (of the CLI's process) holding a bearer
         *     token, or null
         * @param headers extra HTTP headers
         */
        record StreamableHttp(URI url, @Nullable String bearerTokenEnvVar, Map<String, String> headers)
                implements Transport {
            /** Copies. */
            public StreamableHttp {
                Objects.requireNonNull(url, "url");
                headers = Map.copyOf(headers);
            }
        }
    }

    private final String name;
    private final Transport transport;
    private final List<String> allowTools;
    private final List<String> denyTools;
    private final @Nullable Duration startupTimeout;
    private final @Nullable Duration toolTimeout;
    private final boolean required;

    private McpServer(Builder b, Transport transport) {
        this.name = b.name;
        this.transport = transport;
        this.allowTools = List.copyOf(b.allowTools);
        this.denyTools = List.copyOf(b.denyTools);
        this.startupTimeout = b.startupTimeout;
        this.toolTimeout = b.toolTimeout;
        this.required = b.required;
    }

    /**
     * @param name the server's name (1 to 64 of {@code A-Z a-z 0-9 _ -}); the model sees its tools as {@code mcp__<name>__<tool>}
     * @param command the executable
     * @param args its arguments
     * @return a builder of a server the CLI starts
     */
    public static Builder stdio(String name, String command, String... args) {
        return stdio(name, prepend(command, List.of(args)));
    }

    /**
     * @param name the server's name
     * @param commandLine the executable and its arguments (at least the executable)
     * @return a builder of a server the CLI starts
     */
    public static Builder stdio(String name, List<String> commandLine) {
        if (commandLine.isEmpty()) {
            throw new IllegalArgumentException("The command line of MCP server " + name + " is empty");
        }
        Builder b = new Builder(name);
        b.command = commandLine.getFirst();
        b.args.addAll(commandLine.subList(1, commandLine.size()));
        return b;
    }

    /**
     * @param name the server's name
     * @param url its streamable HTTP endpoint ({@code http:} or {@code https:})
     * @return a builder of a server the CLI connects to
     */
    public static Builder http(String name, URI url) {
        Objects.requireNonNull(url, "url");
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("The URL of MCP server " + name + " must be http: or https:, not " + url);
        }
        Builder b = new Builder(name);
        b.url = url;
        return b;
    }

    /** @return the server's name */
    public String name() {
        return name;
    }

    /** @return how the CLI reaches it */
    public Transport transport() {
        return transport;
    }

    /** @return the only tools the model may use ({@code enabled_tools}); empty: all */
    public List<String> allowTools() {
        return allowTools;
    }

    /** @return tools the model may not use ({@code disabled_tools}) */
    public List<String> denyTools() {
        return denyTools;
    }

    /** @return how long the CLI waits for it to start, or null for the CLI's default (10 s) */
    public @Nullable Duration startupTimeout() {
        return startupTimeout;
    }

    /** @return how long one tool call may take, or null for the CLI's default (60 s) */
    public @Nullable Duration toolTimeout() {
        return toolTimeout;
    }

    /** @return whether a failure to start fails the thread (else it is a status only) */
    public boolean required() {
        return required;
    }

    /** @return the {@code -c} key this server is passed under */
    String configKey() {
        return "mcp_servers." + name;
    }

    /** @return the server's configuration as a TOML inline table */
    String configValue() {
        StringBuilder t = new StringBuilder("{");
        switch (transport) {
            case Transport.Stdio s -> {
                entry(t, "command", toml(s.command()));
                entry(t, "args", toml(s.args()));
                if (!s.env().isEmpty()) {
                    entry(t, "env", toml(s.env()));
                }
                if (s.cwd() != null) {
                    entry(t, "cwd", toml(s.cwd().toString()));
                }
            }
            case Transport.StreamableHttp h -> {
                entry(t, "url", toml(h.url().toString()));
                if (h.bearerTokenEnvVar() != null) {
                    entry(t, "bearer_token_env_var", toml(h.bearerTokenEnvVar()));
                }
                if (!h.headers().isEmpty()) {
                    entry(t, "http_headers", toml(h.headers()));
                }
            }
        }
        if (!allowTools.isEmpty()) {
            entry(t, "enabled_tools", toml(allowTools));
        }
        if (!denyTools.isEmpty()) {
            entry(t, "disabled_tools", toml(denyTools));
        }
        if (startupTimeout != null) {
            entry(t, "startup_timeout_sec", seconds(startupTimeout));
        }
        if (toolTimeout != null) {
            entry(t, "tool_timeout_sec", seconds(toolTimeout));
        }
        entry(t, "required", String.valueOf(required));
        return t.append('}').toString();
    }

    private static void entry(StringBuilder t, String key, String value) {
        if (t.length() > 1) {
            t.append(", ");
        }
        t.append(key).append(" = ").append(value);
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }

    static String toml(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String toml(List<String> list) {
        StringBuilder b = new StringBuilder("[");
        for (String s : list) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(toml(s));
        }
        return b.append(']').toString();
    }

    private static String toml(Map<String, String> map) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(toml(e.getKey())).append(" = ").append(toml(e.getValue()));
        }
        return b.append('}').toString();
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest.size() + 1);
        all.add(Objects.requireNonNull(first, "command"));
        all.addAll(rest);
        return all;
    }

    @Override
    public String toString() {
        // no env values, headers or URL query: they may hold secrets
        String how = switch (transport) {
            case Transport.Stdio s -> "stdio " + s.command() + (s.env().isEmpty() ? "" : ", env " + s.env().keySet());
            case Transport.StreamableHttp h -> "http " + h.url().getScheme() + "://" + h.url().getAuthority()
                    + (h.url().getPath() == null ? "" : h.url().getPath());
        };
        return "McpServer[" + name + ", " + how + (required ? ", required" : "") + "]";
    }

    /** Builds an {@link McpServer}; every setting but the transport is optional. */
    public static final class Builder {
        private final String name;
        private @Nullable String command;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private @Nullable Path cwd;
        private @Nullable URI url;
        private @Nullable String bearerTokenEnvVar;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<String> allowTools = new ArrayList<>();
        private final List<String> denyTools = new ArrayList<>();
        private @Nullable Duration startupTimeout;
        private @Nullable Duration toolTimeout;
        private boolean required;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("An MCP server name is 1 to 64 of A-Z a-z 0-9 _ -, not \"" + name + "\"");
            }
            this.name = name;
        }

        /**
         * @param name an environment variable of the server's process (stdio only)
         * @param value its value
         * @return this
         */
        public Builder env(String name, String value) {
            stdioOnly("env");
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param cwd the working directory of the server's process (stdio only)
         * @return this
         */
        public Builder cwd(Path cwd) {
            stdioOnly("cwd");
            this.cwd = Objects.requireNonNull(cwd, "cwd");
            return this;
        }

        /**
         * @param envVar the environment variable of the CLI's process that holds the bearer token
         *     (streamable HTTP only; set it with {@link CodexBuilder#env(String, String)})
         * @return this
         */
        public Builder bearerTokenEnvVar(String envVar) {
            httpOnly("bearerTokenEnvVar");
            this.bearerTokenEnvVar = Objects.requireNonNull(envVar, "envVar");
            return this;
        }

        /**
         * @param name an HTTP header sent with every request (streamable HTTP only)
         * @param value its value
         * @return this
         */
        public Builder httpHeader(String name, String value) {
            httpOnly("httpHeader");
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param tools the only tools of this server the model may use (an allow list); none: all
         * @return this
         */
        public Builder allowTools(String... tools) {
            return allowTools(List.of(tools));
        }

        /**
         * @param tools the only tools of this server the model may use (an allow list)
         * @return this
         */
        public Builder allowTools(Collection<String> tools) {
            tools.forEach(t -> allowTools.add(Objects.requireNonNull(t, "tool")));
            return this;
        }

        /**
         * @param tools tools of this server the model may not use (a deny list; it wins over the allow list)
         * @return this
         */
        public Builder denyTools(String... tools) {
            return denyTools(List.of(tools));
        }

        /**
         * @param tools tools of this server the model may not use
         * @return this
         */
        public Builder denyTools(Collection<String> tools) {
            tools.forEach(t -> denyTools.add(Objects.requireNonNull(t, "tool")));
            return this;
        }

        /**
         * @param timeout how long the CLI waits for the server to start and list its tools (the CLI's default: 10 s)
         * @return this
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = positive(timeout, "startupTimeout");
            return this;
        }

        /**
         * @param timeout how long one tool call may take (the CLI's default: 60 s)
         * @return this
         */
        public Builder toolTimeout(Duration timeout) {
            this.toolTimeout = positive(timeout, "toolTimeout");
            return this;
        }

        /**
         * @param required whether a server that fails to start fails the thread
         *     ({@link dev.codex4j.errors.McpServerStartupException}); false (the default): it is a
         *     {@code failed} status and the thread goes on without it
         * @return this
         */
        public Builder required(boolean required) {
            this.required = required;
            return this;
        }

        /** @return the server */
        public McpServer build() {
            Transport t = command != null
                    ? new Transport.Stdio(command, args, env, cwd)
                    : new Transport.StreamableHttp(Objects.requireNonNull(url), bearerTokenEnvVar, headers);
            return new McpServer(this, t);
        }

        private void stdioOnly(String what) {
            if (command == null) {
                throw new IllegalStateException(what + " is for a stdio MCP server; " + name + " is streamable HTTP");
            }
        }

        private void httpOnly(String what) {
            if (url == null) {
                throw new IllegalStateException(what + " is for a streamable HTTP MCP server; " + name + " is stdio");
            }
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
