package dev.codex4j.testkit;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.CodexCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The real Codex CLI, fully offline: a private {@code CODEX_HOME} whose {@code config.toml} points
 * Codex at a {@link MockModelServer} (plugins, analytics and update checks off, the mock model's
 * catalog written beside it), a private working directory, and the launch settings the SDK takes
 * in one call.
 *
 * <p>Closing it ends any app-server it started (and any process still running in its directories),
 * stops the mock server if it started it, and deletes every file it created.
 *
 * <pre>{@code
 * try (OfflineCodex offline = OfflineCodex.start();
 *      Codex codex = Codex.builder().launch(offline.launch()).build()) {
 *     offline.server().enqueue(ModelReply.message("hello"));
 *     RunResult r = codex.startThread().run("hi");
 *     assertEquals("hello", r.finalResponse().orElseThrow());
 * }
 * }</pre>
 */
public final class OfflineCodex implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OfflineCodex.class.getName());
    /** The model slug of the mock catalog. */
    public static final String MODEL = "mock-model";
    private static final Pattern BANNER = Pattern.compile("listening on: (ws://[^\\s]+)");

    /** When Codex asks the client before acting ({@code approval_policy}). */
    public enum ApprovalPolicy {
        /** Never ask; failures go back to the model. */
        NEVER("never"),
        /** The model decides when to ask (an escalation request asks). */
        ON_REQUEST("on-request"),
        /** Ask only when a sandboxed command failed. */
        ON_FAILURE("on-failure");
        // "untrusted" is missing on purpose: in config.toml it makes 0.169.0 exit before initialize;
        // use the per-turn approvalPolicy override instead.

        private final String toml;

        ApprovalPolicy(String toml) {
            this.toml = toml;
        }

        /** @return the config value */
        public String configValue() {
            return toml;
        }
    }

    /** What commands may touch ({@code sandbox_mode}). */
    public enum SandboxMode {
        /** Read anything, write nothing. */
        READ_ONLY("read-only"),
        /** Write inside the working directory. */
        WORKSPACE_WRITE("workspace-write"),
        /** No sandbox. */
        DANGER_FULL_ACCESS("danger-full-access");

        private final String toml;

        SandboxMode(String toml) {
            this.toml = toml;
        }

        /** @return the config value */
        public String configValue() {
            return toml;
        }
    }

    /** Settings of an {@link OfflineCodex}; {@link OfflineCodex#builder()} makes one. */
    public static final class Builder {
        private ApprovalPolicy approvalPolicy = ApprovalPolicy.NEVER;
        private SandboxMode sandboxMode = SandboxMode.DANGER_FULL_ACCESS;
        private @Nullable MockModelServer server;
        private @Nullable Path codexPath;
        private @Nullable Path tempParent;
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder() {}

        /** @return this builder; default {@link ApprovalPolicy#NEVER} */
        public Builder approvalPolicy(ApprovalPolicy policy) {
            this.approvalPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** @return this builder; default {@link SandboxMode#DANGER_FULL_ACCESS} */
        public Builder sandbox(SandboxMode mode) {
            this.sandboxMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Uses an existing mock server (shared by several fixtures, say) instead of starting one.
         * The fixture does not close a server it was given.
         *
         * @return this builder
         */
        public Builder server(MockModelServer existing) {
            this.server = Objects.requireNonNull(existing, "server");
            return this;
        }

        /** @return this builder, with the Codex binary to run (default: {@link CodexCli#locate}) */
        public Builder codexPath(Path path) {
            this.codexPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** @return this builder, with the directory the fixture's temporary directory is made in */
        public Builder tempDirectoryParent(Path parent) {
            this.tempParent = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /**
         * Adds a {@code -c key=value} override to the launch settings.
         *
         * @param key a dotted config key, for example {@code features.unified_exec}
         * @param tomlValue the value in TOML syntax ({@code "\"text\""}, {@code "false"})
         * @return this builder
         */
        public Builder config(String key, String tomlValue) {
            config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(tomlValue, "tomlValue"));
            return this;
        }

        /** @return this builder, with one more environment variable for the app-server */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Creates the directories and the configuration and starts the mock server (unless one was
         * given). No Codex process is started: that is the SDK's (or {@link #startAppServer()}'s) job.
         *
         * @return the fixture
         * @throws dev.codex4j.errors.CodexCliNotFoundException when no Codex binary is found and the download is off
         * @throws dev.codex4j.errors.CodexCliInstallException when the CLI had to be downloaded and the download failed
         * @throws UncheckedIOException when the files cannot be written
         */
        public OfflineCodex start() {
            Path binary = CodexCli.locate(codexPath);
            return new OfflineCodex(this, binary);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final MockModelServer server;
    private final boolean ownsServer;
    private final Path root;
    private final Path codexHome;
    private final Path workDir;
    private final AppServerLaunch launch;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> listeners = new ArrayList<>();
    private boolean closed;

    private OfflineCodex(Builder b, Path binary) {
        this.ownsServer = b.server == null;
        this.server = b.server != null ? b.server : MockModelServer.start();
        Path createdRoot = null;
        try {
            createdRoot = b.tempParent != null ? Files.createTempDirectory(b.tempParent, "codex4j-offline-")
                    : Files.createTempDirectory("codex4j-offline-");
            this.root = createdRoot.toRealPath();
            this.codexHome = Files.createDirectory(root.resolve("codex-home"));
            this.workDir = Files.createDirectory(root.resolve("work"));
            Path catalog = codexHome.resolve("mock_model_catalog.json");
            try (InputStream in = OfflineCodex.class.getResourceAsStream("mock_model_catalog.json")) {
                if (in == null) {
                    throw new IllegalStateException("mock_model_catalog.json is missing from codex4j-testkit");
                }
                Files.copy(in, catalog);
            }
            Files.writeString(codexHome.resolve("config.toml"),
                    configToml(server.baseUrl(), catalog, b.approvalPolicy, b.sandboxMode), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            if (createdRoot != null) {
                deleteTree(createdRoot);
            }
            if (ownsServer) {
                server.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot create the offline Codex home", io);
            }
            throw (RuntimeException) e;
        }
        this.launch = AppServerLaunch.defaults()
                .withExecutable(binary)
                .withEnv(b.env)
                .withEnv("CODEX_HOME", codexHome.toString())
                .withConfig(b.config)
                .withWorkingDirectory(workDir);
    }

    /**
     * Starts a fixture with approval policy {@code never}, no sandbox and a new mock server.
     *
     * @return the fixture
     */
    public static OfflineCodex start() {
        return builder().start();
    }

    /** @return a builder for a fixture with other settings */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the launch settings: native binary, {@code CODEX_HOME}, overrides and working directory */
    public AppServerLaunch launch() {
        return launch;
    }

    /** @return the mock model Codex talks to */
    public MockModelServer server() {
        return server;
    }

    /** @return the private {@code CODEX_HOME} */
    public Path codexHome() {
        return codexHome;
    }

    /** @return the working directory of the app-server (and of threads started without a cwd) */
    public Path workDir() {
        return workDir;
    }

    /**
     * Starts {@code codex app-server} with {@link #launch()} for tests that talk raw JSON-RPC. The
     * fixture ends it on {@link #close()}. stderr is discarded into a file in the fixture's directory.
     *
     * @return the process, its stdin and stdout are the protocol
     * @throws UncheckedIOException when it cannot be started
     */
    public Process startAppServer() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this OfflineCodex is closed");
            }
            ProcessBuilder pb = new ProcessBuilder(launch.command(launch.resolveExecutable()));
            pb.environment().putAll(launch.environment());
            pb.directory(workDir.toFile());
            pb.redirectError(ProcessBuilder.Redirect.appendTo(root.resolve("app-server.stderr").toFile()));
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + launch.executable(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * An app-server started by {@link #startListening}: the process, and the endpoint a client
     * connects to ({@code ws://127.0.0.1:PORT} or {@code unix:///path}).
     *
     * @param process the app-server; the fixture ends it on close (kill it earlier to test a crash)
     * @param endpoint where it listens
     */
    public record ListeningServer(Process process, URI endpoint) {}

    /**
     * Starts {@code codex app-server --listen <listen> <flags...>} with {@link #launch()}, for tests
     * of clients that connect to a running server. With {@code ws://127.0.0.1:0} the port the server
     * picked is read from its banner on stderr; with {@code unix:///path} the fixture waits for the
     * socket. stderr goes on to a file in the fixture's directory. The fixture ends the server
     * (SIGTERM, then kill) on {@link #close()}.
     *
     * <pre>{@code
     * ListeningServer s = offline.startListening("ws://127.0.0.1:0", "--ws-auth", "capability-token",
     *         "--ws-token-file", tokenFile.toString());
     * Codex codex = Codex.builder().connect(s.endpoint(), ServerAuth.capabilityToken(tokenFile)).build();
     * }</pre>
     *
     * @param listen the {@code --listen} URL: {@code ws://IP:PORT} or {@code unix://PATH}
     * @param flags more flags, for example {@code --ws-auth capability-token --ws-token-file F}
     * @return the server and its endpoint
     * @throws IllegalStateException when it exits or does not listen within 20 s
     */
    public ListeningServer startListening(String listen, String... flags) {
        List<String> cmd = new ArrayList<>(launch.command(launch.resolveExecutable()));
        cmd.add("--listen");
        cmd.add(listen);
        cmd.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(launch.environment());
        pb.directory(workDir.toFile());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this OfflineCodex is closed");
            }
            p = pb.start();
            listeners.add(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd.get(0), e);
        } finally {
            lock.unlock();
        }
        CompletableFuture<URI> banner = new CompletableFuture<>();
        Path log = root.resolve("app-server-" + p.pid() + ".stderr");
        Thread.ofVirtual().name("offline-codex-stderr-" + p.pid()).start(() -> {
            try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
                    var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String line; (line = err.readLine()) != null; ) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    Matcher m = BANNER.matcher(line);
                    if (m.find()) {
                        banner.complete(URI.create(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the server is gone
            } finally {
                banner.completeExceptionally(new IllegalStateException("the app-server's stderr ended"));
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try {
            if (listen.startsWith("unix://")) {
                Path socket = Path.of(listen.substring("unix://".length()));
                while (!Files.exists(socket)) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the app-server made no socket at " + socket + "; stderr in " + log);
                    }
                    Thread.sleep(20);
                }
                return new ListeningServer(p, URI.create("unix://" + socket));
            }
            return new ListeningServer(p, banner.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the app-server announced no endpoint; stderr in " + log, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the app-server started", e);
        }
    }

    /**
     * Ends the app-servers it started and any process left running in its directories, stops the
     * mock server it started, and deletes its directories. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        for (Process p : listeners) {
            stop(p.toHandle(), null); // a listening server ignores its stdin: SIGTERM at once
        }
        for (Process p : processes) {
            stop(p.toHandle(), p);
        }
        // The SDK's own app-server (or a command Codex ran) may still live in our directories.
        descendantsInside(root).forEach(h -> stop(h, null));
        if (ownsServer) {
            server.close();
        }
        deleteTree(root);
    }

    private static void stop(ProcessHandle handle, @Nullable Process process) {
        try {
            if (process != null) {
                // A closed stdin is how app-server expects to be told to exit (it exits 0 in ~30 ms).
                try {
                    process.getOutputStream().close();
                } catch (IOException e) {
                    // Already closed by the test: fine.
                }
                if (process.waitFor(2, TimeUnit.SECONDS)) {
                    return;
                }
            }
            List<ProcessHandle> children = handle.descendants().toList();
            handle.destroy();
            children.forEach(ProcessHandle::destroy);
            if (!awaitExit(handle, 3)) {
                handle.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
                awaitExit(handle, 3);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
    }

    private static boolean awaitExit(ProcessHandle handle, int seconds) throws InterruptedException {
        try {
            handle.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        }
    }

    private static List<ProcessHandle> descendantsInside(Path dir) {
        List<ProcessHandle> found = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return found;
        }
        ProcessHandle.current().descendants().forEach(h -> {
            try {
                Path cwd = Files.readSymbolicLink(proc.resolve(Long.toString(h.pid())).resolve("cwd"));
                if (cwd.startsWith(dir)) {
                    found.add(h);
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Gone already, or not ours to inspect.
            }
        });
        return found;
    }

    static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        p.toFile().setWritable(true);
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // Retried below: a process that just exited may still be writing.
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                LOG.log(Level.DEBUG, "deleting {0}: {1}", dir, e);
            }
        }
        if (Files.exists(dir)) {
            LOG.log(Level.WARNING, "could not delete {0} completely", dir);
        }
    }

    static String configToml(String baseUrl, Path catalog, ApprovalPolicy approval, SandboxMode sandbox) {
        return """
                # Written by codex4j-testkit OfflineCodex: the real Codex CLI against a local mock model.
                model = "%s"
                model_provider = "mock"
                approval_policy = "%s"
                sandbox_mode = "%s"
                model_catalog_json = %s
                check_for_update_on_startup = false
                web_search = "disabled"
                allow_login_shell = false

                [analytics]
                enabled = false

                [feedback]
                enabled = false

                [features]
                plugins = false
                remote_plugin = false
                apps = false
                shell_snapshot = false

                [model_providers.mock]
                name = "codex4j mock model"
                base_url = %s
                wire_api = "responses"
                requires_openai_auth = false
                request_max_retries = 0
                stream_max_retries = 0
                stream_idle_timeout_ms = 30000
                """.formatted(MODEL, approval.configValue(), sandbox.configValue(), tomlString(catalog.toString()),
                tomlString(baseUrl));
    }

    private static String tomlString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
