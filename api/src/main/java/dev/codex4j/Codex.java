package dev.codex4j;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.CodexException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ClientMethod;
import dev.codex4j.protocol.methods.TypedCodec;
import dev.codex4j.runtime.Connection;
import dev.codex4j.runtime.ConnectionOptions;
import dev.codex4j.runtime.StdioTransport;
import dev.codex4j.runtime.StreamTransport;
import dev.codex4j.runtime.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client of one {@code codex app-server} child process: start, resume and fork threads, run
 * turns, answer approvals. Thread-safe; any number of threads and turns run concurrently over its
 * one connection. Closing it ends the child process and every thread of the SDK, and fails the
 * turns still running with {@link dev.codex4j.protocol.TransportClosedException}.
 *
 * <pre>{@code
 * try (Codex codex = Codex.start()) {
 *     CodexThread thread = codex.startThread();
 *     RunResult result = thread.run("Summarize this repo");
 *     System.out.println(result.finalResponse().orElse("(no answer)"));
 * }
 * }</pre>
 */
public final class Codex implements AutoCloseable {
    private static final String SDK_VERSION = readVersion();

    private final Connection connection;
    private final Duration requestTimeout;
    private final ApprovalHandler approvalHandler;
    private final CodexMetadata metadata;
    /** Threads with a turn starting or running: where approvals are routed. Bounded by the running turns. */
    private final Map<String, CodexThread> busyThreads = new ConcurrentHashMap<>();

    private Codex(Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.approvalHandler = b.approvalHandler;
        Transport transport;
        if (b.fromServer != null && b.toServer != null) {
            transport = new StreamTransport(b.fromServer, b.toServer);
        } else {
            AppServerLaunch launch = b.launch;
            if (b.codexPath != null) {
                launch = launch.withExecutable(b.codexPath);
            }
            if (b.cwd != null) {
                launch = launch.withWorkingDirectory(b.cwd);
            }
            launch = launch.withEnv(b.env).withConfig(b.config);
            transport = StdioTransport.start(launch, b.closeTimeout);
        }
        ConnectionOptions options = b.connectionOptions.withRequestTimeout(b.requestTimeout);
        this.connection = Connection.open(transport, options);
        try {
            connection.serverRequestHandler(this::onServerRequest);
            ObjectNode p = Params.object();
            ObjectNode client = p.putObject("clientInfo");
            client.put("name", b.clientName);
            client.put("title", b.clientTitle);
            client.put("version", b.clientVersion);
            ObjectNode caps = p.putObject("capabilities");
            caps.put("experimentalApi", b.experimentalApi);
            if (!b.optOut.isEmpty()) {
                b.optOut.forEach(caps.putArray("optOutNotificationMethods")::add);
            }
            this.metadata = CodexMetadata.of(call("initialize", p));
            connection.notify("initialized", ProtocolCodec.emptyObject());
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Starts the app-server with defaults: the Codex CLI found as {@link dev.codex4j.protocol.CodexCli}
     * describes, your own Codex configuration, and the fail-closed approval handler.
     *
     * @return a connected client
     */
    public static Codex start() {
        return builder().build();
    }

    /** @return a builder for a client */
    public static Builder builder() {
        return new Builder();
    }

    /** @return what the server said in its {@code initialize} reply */
    public CodexMetadata metadata() {
        return metadata;
    }

    /** @return a new thread with the server's defaults ({@code thread/start}) */
    public CodexThread startThread() {
        return startThread(ThreadOptions.defaults());
    }

    /** @return a new thread with these options ({@code thread/start}) */
    public CodexThread startThread(ThreadOptions options) {
        ObjectNode p = Params.object();
        options.writeTo(p);
        return register(call("thread/start", p));
    }

    /** @return the existing thread, loaded (from disk if needed) and ready for turns ({@code thread/resume}) */
    public CodexThread resumeThread(String threadId) {
        return resumeThread(threadId, ThreadOptions.defaults());
    }

    /** @return the existing thread, resumed with these options ({@code thread/resume}) */
    public CodexThread resumeThread(String threadId, ThreadOptions options) {
        ObjectNode p = Params.object();
        p.put("threadId", Objects.requireNonNull(threadId, "threadId"));
        options.writeTo(p);
        return register(call("thread/resume", p));
    }

    /** @return a new thread with a copy of the given thread's history ({@code thread/fork}) */
    public CodexThread forkThread(String threadId) {
        return forkThread(threadId, ThreadOptions.defaults());
    }

    /** @return a fork of the thread with these options ({@code thread/fork}) */
    public CodexThread forkThread(String threadId, ThreadOptions options) {
        ObjectNode p = Params.object();
        p.put("threadId", Objects.requireNonNull(threadId, "threadId"));
        options.writeTo(p);
        return register(call("thread/fork", p));
    }

    /** @return the first page of stored threads, newest first ({@code thread/list}) */
    public ThreadPage listThreads() {
        return listThreads(ThreadQuery.defaults());
    }

    /** @return one page of stored threads ({@code thread/list}) */
    public ThreadPage listThreads(ThreadQuery query) {
        ObjectNode p = Params.object();
        query.writeTo(p);
        return ThreadPage.of(call("thread/list", p));
    }

    /** Archives a thread ({@code thread/archive}). */
    public void archiveThread(String threadId) {
        ObjectNode p = Params.object();
        p.put("threadId", threadId);
        call("thread/archive", p);
    }

    /** Brings an archived thread back ({@code thread/unarchive}). */
    public void unarchiveThread(String threadId) {
        ObjectNode p = Params.object();
        p.put("threadId", threadId);
        call("thread/unarchive", p);
    }

    /** @return the models the server offers ({@code model/list}, all pages) */
    public List<ModelInfo> models() {
        List<ModelInfo> out = new ArrayList<>();
        String cursor = null;
        do {
            ObjectNode p = Params.object();
            if (cursor != null) {
                p.put("cursor", cursor);
            }
            JsonNode r = call("model/list", p);
            r.path("data").forEach(m -> out.add(ModelInfo.of(m)));
            JsonNode next = r.get("nextCursor");
            cursor = next != null && next.isString() ? next.asString() : null;
        } while (cursor != null);
        return List.copyOf(out);
    }

    /** @return the account the server is signed in with ({@code account/read}); {@code account} is null when none */
    public JsonNode account() {
        return call("account/read", Params.object());
    }

    /**
     * Sends any protocol request and waits for its result: the escape hatch for methods this SDK
     * does not wrap.
     *
     * @param method the method, for example {@code config/read}
     * @param params its parameters ({@code {}} when none)
     * @return the result
     * @throws dev.codex4j.protocol.CodexRpcException for an error reply
     * @throws dev.codex4j.protocol.RequestTimeoutException when no reply came in time
     */
    public JsonNode request(String method, JsonNode params) {
        return call(method, params);
    }

    /**
     * Sends any protocol request with typed parameters and result, using the generated method
     * descriptors of the pinned CLI.
     *
     * <pre>{@code
     * ModelListResponse models = codex.request(ClientMethods.MODEL_LIST, null);  // null params: {}
     * }</pre>
     *
     * @param method a descriptor from {@link dev.codex4j.protocol.methods.ClientMethods}
     * @param params the parameters (null for {@code {}})
     * @param <P> the params type
     * @param <R> the result type
     * @return the typed result
     * @throws dev.codex4j.protocol.ProtocolException when the result does not bind to {@code R}
     */
    public <P, R> R request(ClientMethod<P, R> method, @Nullable P params) {
        return TypedCodec.result(method, call(method.name(), TypedCodec.params(params)));
    }

    /** @return {@link #request(String, JsonNode)} without waiting */
    public CompletableFuture<JsonNode> requestAsync(String method, JsonNode params) {
        return connection.request(method, params);
    }

    /** @return whether the connection is still open */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /**
     * Closes stdin of the child, waits briefly, then kills it; fails running turns and pending
     * requests; stops the SDK's threads. Idempotent; throws nothing.
     */
    @Override
    public void close() {
        connection.close();
    }

    /**
     * Reserves the thread id for a turn of this CodexThread object. Another object for the same
     * thread id (two {@code resumeThread(id)} calls) may hold it: then the turn must not start,
     * because the server would take its input as a steer of the running turn, and approvals of
     * that turn must keep going to the handler of the turn that owns it.
     *
     * @throws IllegalStateException when another object for this thread id has a turn in flight
     */
    void turnStarting(CodexThread thread) {
        while (true) {
            CodexThread holder = busyThreads.putIfAbsent(thread.id(), thread);
            if (holder == null || holder == thread) {
                return;
            }
            if (!holder.releaseIfIdle()) {
                throw new IllegalStateException("Thread " + thread.id() + " already has a running turn (started through"
                        + " another CodexThread object for the same id): steer it, interrupt it, or wait for it to complete");
            }
        }
    }

    void turnIdle(CodexThread thread) {
        busyThreads.remove(thread.id(), thread);
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Connection connection() {
        return connection;
    }

    JsonNode call(String method, JsonNode params) {
        return await(connection.request(method, params));
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new CodexException("Interrupted while waiting for a reply", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException re) {
                re.addSuppressed(new CodexException("waited here"));
                throw re;
            }
            throw new CodexException(cause.toString(), cause);
        }
    }

    private CodexThread register(JsonNode reply) {
        String id = reply.path("thread").path("id").asString(null);
        if (id == null) {
            throw new dev.codex4j.protocol.ProtocolException("Thread reply has no thread.id", reply.toString(), null);
        }
        return new CodexThread(this, id, reply);
    }

    private JsonNode onServerRequest(JsonRpcMessage.Request request) throws Exception {
        ApprovalRequest typed = ApprovalRequest.of(request.method(), request.params());
        ApprovalHandler handler = approvalHandler;
        CodexThread thread = typed.threadId() == null ? null : busyThreads.get(typed.threadId());
        if (thread != null) {
            TurnHandle turn = thread.turnFor(typed.turnId());
            if (turn != null && turn.options().approvalHandler() != null) {
                handler = turn.options().approvalHandler();
            }
        }
        Decision decision = handler.decide(typed);
        return ApprovalReplies.result(typed, Objects.requireNonNull(decision, "the approval handler returned null"));
    }

    private static String readVersion() {
        try (InputStream in = Codex.class.getResourceAsStream("codex4j.version")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds a {@link Codex}. Every setting has a default; {@link #build()} starts the child
     * process and performs the {@code initialize} handshake.
     *
     * <pre>{@code
     * Codex codex = Codex.builder()
     *         .cwd(Path.of("/srv/repo"))
     *         .config("model", "\"gpt-5.5\"")
     *         .requestTimeout(Duration.ofSeconds(30))
     *         .approvalHandler(ApprovalHandler.declineAll())
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private AppServerLaunch launch = AppServerLaunch.defaults();
        private @Nullable Path codexPath;
        private @Nullable Path cwd;
        private final Map<String, String> env = new java.util.LinkedHashMap<>();
        private final Map<String, String> config = new java.util.LinkedHashMap<>();
        private String clientName = "codex4j";
        private String clientTitle = "codex4j";
        private String clientVersion = SDK_VERSION;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private ApprovalHandler approvalHandler = ApprovalHandler.declineAll();
        private boolean experimentalApi;
        private final Set<String> optOut = new LinkedHashSet<>();
        private ConnectionOptions connectionOptions = ConnectionOptions.defaults();
        private @Nullable InputStream fromServer;
        private @Nullable OutputStream toServer;

        private Builder() {}

        /** @return this, starting from these launch settings (for example testkit's offline fixture) */
        public Builder launch(AppServerLaunch launch) {
            this.launch = Objects.requireNonNull(launch, "launch");
            return this;
        }

        /** @return this, with the Codex binary to run (else searched: $CODEX4J_CODEX_PATH, the pinned cache, PATH) */
        public Builder codexPath(Path path) {
            this.codexPath = path;
            return this;
        }

        /** @return this, with the app-server's working directory (threads default to it) */
        public Builder cwd(Path cwd) {
            this.cwd = cwd;
            return this;
        }

        /** @return this, with an environment variable for the child (over the parent's) */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** @return this, with environment variables for the child */
        public Builder env(Map<String, String> vars) {
            env.putAll(vars);
            return this;
        }

        /** @return this, with a {@code -c key=value} config override; the value is TOML ({@code "\"text\""}) */
        public Builder config(String key, String tomlValue) {
            config.put(key, tomlValue);
            return this;
        }

        /** @return this, with the client name sent in {@code initialize} (it starts the userAgent) */
        public Builder clientName(String name) {
            this.clientName = name;
            return this;
        }

        /** @return this, with the client title sent in {@code initialize} */
        public Builder clientTitle(String title) {
            this.clientTitle = title;
            return this;
        }

        /** @return this, with the client version sent in {@code initialize} */
        public Builder clientVersion(String version) {
            this.clientVersion = version;
            return this;
        }

        /** @return this, with the default timeout of every request (60 s by default) */
        public Builder requestTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** @return this, with how long close() waits for the child to exit before killing it (5 s) */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** @return this, with the handler of approvals and other server requests (default: decline all) */
        public Builder approvalHandler(ApprovalHandler handler) {
            this.approvalHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** @return this, opting in to experimental protocol methods and fields */
        public Builder experimentalApi(boolean enabled) {
            this.experimentalApi = enabled;
            return this;
        }

        /** @return this, asking the server not to send these notifications (for example {@code item/agentMessage/delta}) */
        public Builder optOutNotifications(String... methods) {
            optOut.addAll(List.of(methods));
            return this;
        }

        /**
         * How requests the server rejects as overloaded (-32001) are retried: up to {@code attempts}
         * more times, with exponential backoff and jitter from {@code initialDelay} up to
         * {@code maxDelay}. Other errors are never retried.
         *
         * @return this
         */
        public Builder overloadRetry(int attempts, Duration initialDelay, Duration maxDelay) {
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must be >= 0: " + attempts);
            }
            this.connectionOptions = connectionOptions.withOverloadRetries(attempts)
                    .withRetryInitialDelay(initialDelay).withRetryMaxDelay(maxDelay);
            return this;
        }

        /**
         * Talks to an app-server over these streams instead of starting a child process (for
         * example testkit's in-process {@code FakeAppServer}).
         *
         * @return this
         */
        public Builder streams(InputStream fromServer, OutputStream toServer) {
            this.fromServer = fromServer;
            this.toServer = toServer;
            return this;
        }

        /**
         * Starts the app-server and performs the handshake.
         *
         * @return the connected client
         * @throws dev.codex4j.protocol.CodexCliNotFoundException when no Codex binary is found
         * @throws dev.codex4j.protocol.TransportClosedException when the child exits during the handshake
         */
        public Codex build() {
            return new Codex(this);
        }

        /** @return the SDK's version, sent as the default client version */
        public static String sdkVersion() {
            return SDK_VERSION;
        }

    }
}
