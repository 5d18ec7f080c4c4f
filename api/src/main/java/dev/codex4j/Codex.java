package dev.codex4j;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.errors.LoginFailedException;
import dev.codex4j.errors.ModelUnreachableException;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.internal.runtime.Secrets;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.sdk.CodexOptions;
import dev.codex4j.internal.sdk.Link;
import dev.codex4j.internal.sdk.SdkAccess;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.Transports;
import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.types.DynamicToolCallResponse;
import dev.codex4j.protocol.types.GetAccountParams;
import dev.codex4j.protocol.types.GetAccountResponse;
import dev.codex4j.protocol.types.InitializeResponse;
import dev.codex4j.protocol.types.LoginAccountParams;
import dev.codex4j.protocol.types.Model;
import dev.codex4j.protocol.types.ModelListParams;
import dev.codex4j.protocol.types.ModelListResponse;
import dev.codex4j.protocol.types.ThreadArchiveParams;
import dev.codex4j.protocol.types.ThreadForkParams;
import dev.codex4j.protocol.types.ThreadListParams;
import dev.codex4j.protocol.types.ThreadListResponse;
import dev.codex4j.protocol.types.ThreadResumeParams;
import dev.codex4j.protocol.types.ThreadUnarchiveParams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client of one {@code codex app-server}: start, resume and fork threads, run turns, answer
 * approvals. The server is a child process on stdio by default, a child listening on a socket
 * ({@link Builder#listen}), or one that already runs ({@link Builder#connect}: {@code ws://},
 * {@code wss://}, {@code unix://}). Thread-safe; any number of threads and turns run concurrently
 * over its one connection. Closing it ends the child process (if it started one) and every thread
 * of the SDK, and fails the turns still running with
 * {@link dev.codex4j.errors.TransportClosedException}. A client built with
 * {@link Builder#supervise(Supervision)} outlives the loss of its server: it restarts or reconnects
 * it and goes on with the same objects ({@link #state()} says where it stands). Many servers behind
 * one client: {@link CodexFleet}.
 *
 * <pre>{@code
 * try (Codex codex = Codex.start()) {
 *     CodexThread thread = codex.startThread();
 *     RunResult result = thread.run("Summarize this repo");
 *     System.out.println(result.finalResponse().orElse("(no answer)"));
 * }
 * }</pre>
 */
public final class Codex implements CodexClient {
    private static final String SDK_VERSION = readVersion();

    static {
        SdkAccess.install(new Access());
    }

    /**
     * Where a client stands with its app-server.
     *
     * <pre>{@code
     * if (codex.state() == Codex.State.RECONNECTING) metrics.increment("codex.reconnecting");
     * }</pre>
     */
    public enum State {
        /** Connected and initialized: calls go out at once. */
        CONNECTED,
        /** Supervised, and the server was lost: the client restarts or reconnects it; calls wait. */
        RECONNECTING,
        /** Closed by {@link Codex#close()}, or gave up restarting, or (not supervised) the server went away. */
        CLOSED
    }

    private final Session session;

    Codex(CodexOptions options) {
        this.session = new Session(options);
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

    /**
     * @return what the server said in its {@code initialize} reply: {@code userAgent} (which begins
     *     with the client's own name, then the CLI version), {@code codexHome}, {@code platformOs}, ...
     */
    public InitializeResponse metadata() {
        return session.link().metadata;
    }

    /** @return a new thread with the server's defaults ({@code thread/start}) */
    public CodexThread startThread() {
        return startThread(ThreadOptions.defaults());
    }

    /**
     * @return a new thread with these options ({@code thread/start})
     * @throws IllegalStateException when the options have {@linkplain ThreadOptions#tools() tools}
     *     and this client was built without {@link Builder#experimentalApi(boolean) experimentalApi(true)}
     *     (the server refuses {@code dynamicTools} without it)
     */
    public CodexThread startThread(ThreadOptions options) {
        return startThread(options, Deadline.after(session.requestTimeout()));
    }

    /**
     * @param linkDeadline until when to wait for a restart in progress (the fleet passes "now": it
     *     places the thread elsewhere rather than wait)
     */
    CodexThread startThread(ThreadOptions options, Deadline linkDeadline) {
        session.checkDirectory(options.cwd(), "the thread's cwd");
        if (!options.tools().isEmpty() && !session.options().experimentalApi()) {
            throw new IllegalStateException("Tools are sent as thread/start's dynamicTools, an experimental protocol"
                    + " field the server refuses unless the client opts in: build the client with"
                    + " Codex.builder().experimentalApi(true)");
        }
        Link l = session.awaitLink(linkDeadline);
        return new CodexThread(session, session.callOn(l.connection, ClientMethods.THREAD_START, options.startParams())
                .thread(), options, l.generation);
    }

    /** @return the existing thread, loaded (from disk if needed) and ready for turns ({@code thread/resume}) */
    public CodexThread resumeThread(String threadId) {
        return resumeThread(threadId, ThreadOptions.defaults());
    }

    /**
     * The existing thread, resumed with these options ({@code thread/resume}). The server keeps
     * the tools a thread was started with (Codex 0.169.0: the model still sees them after a resume
     * in a new process, and calls them), and {@code thread/resume} takes none: the options'
     * {@linkplain ThreadOptions#tools() tools} are only registered here, so that this client
     * answers their calls. Give the same tools the thread was started with.
     *
     * <pre>{@code
     * CodexThread t = codex.resumeThread(savedId, ThreadOptions.builder().tool(lookupOrder).build());
     * }</pre>
     *
     * @return the resumed thread
     * @throws IllegalArgumentException when the options set {@code ephemeral}, which only a start takes
     */
    public CodexThread resumeThread(String threadId, ThreadOptions options) {
        return resumeThread(threadId, options, Deadline.after(session.requestTimeout()));
    }

    /** @param linkDeadline until when to wait for a restart in progress */
    CodexThread resumeThread(String threadId, ThreadOptions options, Deadline linkDeadline) {
        session.checkDirectory(options.cwd(), "the thread's cwd");
        ThreadResumeParams params = options.resumeParams(Objects.requireNonNull(threadId, "threadId"));
        Link l = session.awaitLink(linkDeadline);
        return new CodexThread(session, session.callOn(l.connection, ClientMethods.THREAD_RESUME, params).thread(), options,
                l.generation);
    }

    /** @return a new thread with a copy of the given thread's history ({@code thread/fork}) */
    public CodexThread forkThread(String threadId) {
        return forkThread(threadId, ThreadOptions.defaults());
    }

    /**
     * @return a fork of the thread with these options ({@code thread/fork}); the options'
     *     {@linkplain ThreadOptions#tools() tools} are registered here, as for
     *     {@link #resumeThread(String, ThreadOptions)} ({@code thread/fork} takes none)
     */
    public CodexThread forkThread(String threadId, ThreadOptions options) {
        return forkThread(threadId, options, Deadline.after(session.requestTimeout()));
    }

    /** @param linkDeadline until when to wait for a restart in progress */
    CodexThread forkThread(String threadId, ThreadOptions options, Deadline linkDeadline) {
        session.checkDirectory(options.cwd(), "the thread's cwd");
        ThreadForkParams params = options.forkParams(Objects.requireNonNull(threadId, "threadId"));
        Link l = session.awaitLink(linkDeadline);
        return new CodexThread(session, session.callOn(l.connection, ClientMethods.THREAD_FORK, params).thread(), options,
                l.generation);
    }

    /**
     * @return the first page of stored threads, newest first ({@code thread/list}); {@code data()}
     *     holds the threads, {@code nextCursor()} the cursor of the next page
     */
    public ThreadListResponse listThreads() {
        return listThreads(ThreadListParams.builder().build());
    }

    /**
     * One page of stored threads ({@code thread/list}).
     *
     * <pre>{@code
     * ThreadListResponse page = codex.listThreads(ThreadListParams.builder().limit(20L).build());
     * while (page.nextCursor() != null) {
     *     page = codex.listThreads(ThreadListParams.builder().limit(20L).cursor(page.nextCursor()).build());
     * }
     * }</pre>
     *
     * @param query page size, cursor, archived, search term, ...
     * @return the page
     */
    public ThreadListResponse listThreads(ThreadListParams query) {
        return session.call(ClientMethods.THREAD_LIST, Objects.requireNonNull(query, "query"));
    }

    /** Archives a thread ({@code thread/archive}). */
    public void archiveThread(String threadId) {
        session.call(ClientMethods.THREAD_ARCHIVE, ThreadArchiveParams.builder().threadId(threadId).build());
    }

    /** Brings an archived thread back ({@code thread/unarchive}). */
    public void unarchiveThread(String threadId) {
        session.call(ClientMethods.THREAD_UNARCHIVE, ThreadUnarchiveParams.builder().threadId(threadId).build());
    }

    /** @return the models the server offers ({@code model/list}, all pages) */
    public List<Model> models() {
        List<Model> out = new ArrayList<>();
        String cursor = null;
        do {
            ModelListParams.Builder p = ModelListParams.builder();
            if (cursor != null) {
                p.cursor(cursor);
            }
            ModelListResponse r = session.call(ClientMethods.MODEL_LIST, p.build());
            out.addAll(r.data());
            cursor = r.nextCursor();
        } while (cursor != null);
        return List.copyOf(out);
    }

    /**
     * @return the account the server is signed in with ({@code account/read}): {@code account()}
     *     is null when there is none, {@code requiresOpenaiAuth()} whether the model provider needs one
     */
    public GetAccountResponse account() {
        return session.call(ClientMethods.ACCOUNT_READ, GetAccountParams.builder().build());
    }

    /**
     * Starts a sign-in of the form the params say ({@code account/login/start}): an API key, a
     * ChatGPT sign-in in the browser or with a device code, ChatGPT tokens, Amazon Bedrock keys.
     * The returned {@link Login} says what the user must do and can be waited on or cancelled.
     *
     * <pre>{@code
     * try (Login login = codex.login(LoginAccountParams.Chatgpt.builder().build())) {
     *     openBrowser(((LoginAccountResponse.Chatgpt) login.response()).authUrl());
     *     login.await(Duration.ofMinutes(5));
     * }
     * }</pre>
     *
     * @param params the form of sign-in
     * @return the login in progress
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses to start it (for
     *     example a device code it could not request: no network)
     */
    public Login login(LoginAccountParams params) {
        return new Login(session, Objects.requireNonNull(params, "params"));
    }

    /**
     * Signs in with an OpenAI API key and waits until the server has stored it (no network is
     * needed: the key is checked when a turn first uses it). Turns can start right after.
     *
     * <pre>{@code
     * codex.loginWithApiKey(System.getenv("OPENAI_API_KEY"));
     * }</pre>
     *
     * @param apiKey the key
     * @throws LoginFailedException when the server refuses it
     * @throws IllegalArgumentException when the key is blank
     */
    public void loginWithApiKey(String apiKey) {
        if (Objects.requireNonNull(apiKey, "apiKey").isBlank()) {
            throw new IllegalArgumentException("the API key is blank");
        }
        Secrets.remember(apiKey); // never quoted back: error replies and log lines are scrubbed of it
        try (Login login = login(LoginAccountParams.ApiKey.builder().apiKey(apiKey).build())) {
            login.await(session.requestTimeout());
        }
    }

    /**
     * Starts a ChatGPT sign-in in the browser: open {@code authUrl} of the
     * {@link dev.codex4j.protocol.types.LoginAccountResponse.Chatgpt} response on the machine the
     * app-server runs on (it waits for the browser's callback on a local port).
     *
     * @return the login in progress
     */
    public Login loginWithChatGpt() {
        return login(LoginAccountParams.Chatgpt.builder().build());
    }

    /**
     * Starts a ChatGPT sign-in with a device code, for machines without a browser: the user enters
     * {@code userCode} at {@code verificationUrl} of the
     * {@link dev.codex4j.protocol.types.LoginAccountResponse.ChatgptDeviceCode} response anywhere.
     *
     * @return the login in progress
     * @throws dev.codex4j.errors.CodexRpcException when the server cannot request a code (no network)
     */
    public Login loginWithDeviceCode() {
        return login(LoginAccountParams.ChatgptDeviceCode.builder().build());
    }

    /** Signs out ({@code account/logout}); turns then fail fast with {@link dev.codex4j.errors.AuthenticationRequiredException} if the provider needs an account. */
    public void logout() {
        session.call(ClientMethods.ACCOUNT_LOGOUT, null);
        session.refreshAccount();
    }

    /**
     * Sends any protocol request as raw JSON and waits for its result: the escape hatch for a
     * method newer than this SDK's types (prefer {@link #request(ClientMethod, Object)}).
     *
     * @param method the method, for example {@code config/read}
     * @param params its parameters ({@code {}} when none)
     * @return the result
     * @throws dev.codex4j.errors.CodexRpcException for an error reply
     * @throws dev.codex4j.errors.RequestTimeoutException when no reply came in time
     */
    public JsonNode request(String method, JsonNode params) {
        return session.call(method, params, Deadline.after(session.requestTimeout()));
    }

    /**
     * Sends any protocol request with typed parameters and result, using the generated method
     * descriptors of the pinned CLI: the way to call a method this SDK does not wrap.
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
     * @throws dev.codex4j.errors.ProtocolException when the result does not bind to {@code R}
     */
    public <P, R> R request(ClientMethod<P, R> method, @Nullable P params) {
        return session.call(method, params);
    }

    /** @return {@link #request(String, JsonNode)} without waiting */
    public CompletableFuture<JsonNode> requestAsync(String method, JsonNode params) {
        return session.connection().request(method, params);
    }

    /**
     * Listens to the notifications that name no thread ({@code account/rateLimits/updated},
     * {@code account/updated}, {@code configWarning}, {@code mcpServer/startupStatus/updated}, ...),
     * typed as the generated {@link ServerNotification} (a method this version does not know, or
     * params that do not bind, is a {@link ServerNotification.Unknown}). The listener runs on a
     * virtual thread of the subscription's own, in order; see {@link Subscription} for its bound.
     *
     * <pre>{@code
     * Subscription s = codex.subscribe(n -> {
     *     if (n instanceof ServerNotification.AccountRateLimitsUpdated r) System.out.println(r.params());
     * });
     * }</pre>
     *
     * @param listener receives each notification
     * @return the subscription; close it to stop listening
     * @throws dev.codex4j.errors.TransportClosedException when the client is closed
     */
    public Subscription subscribe(Consumer<? super ServerNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        return new Subscription(session.connection().subscribeGlobal(in -> listener.accept(Session.typed(in)),
                session.options().subscriptionBuffer()));
    }

    /**
     * {@link #subscribe} as a stream to pull from.
     *
     * @return the notifications that name no thread, from now on; close it to stop listening
     */
    public NotificationStream events() {
        return new NotificationStream(session.options().subscriptionBuffer(), this::isOpen, this::subscribe);
    }

    /**
     * @return whether the client is usable: not closed, and (when not supervised) its connection is
     *     open; a supervised client that is restarting its server is open (see {@link #state()})
     */
    public boolean isOpen() {
        return state() != State.CLOSED;
    }

    /** @return whether the client is connected to its server now ({@link State#CONNECTED}) */
    public boolean isConnected() {
        return state() == State.CONNECTED;
    }

    /**
     * @return where the client stands: connected, reconnecting (supervised, after a loss) or closed
     */
    public State state() {
        return session.state();
    }

    /** @return how many times a supervised client restarted or reconnected its server so far */
    public int restarts() {
        return session.restarts();
    }

    /**
     * @return how many turns run (or are being started) through this client now; with
     *     {@link Builder#maxConcurrentTurns} this is at most that many
     */
    public int activeTurns() {
        return session.admission().active();
    }

    /**
     * Closes stdin of the child, waits briefly, then kills it; fails running turns and pending
     * requests; stops the SDK's threads. A supervised client stops restarting at once, also during
     * a backoff. Idempotent; throws nothing.
     */
    @Override
    public void close() {
        session.close();
    }

    /** @return the session this client is a facade over (the fleet, threads, logins) */
    Session session() {
        return session;
    }

    /** @return the current connection (the benchmarks and the reliability campaigns read it by reflection) */
    Connection connection() {
        return session.connection();
    }

    private static String readVersion() {
        try (InputStream in = Codex.class.getResourceAsStream("codex4j.version")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The package-private members the internals reach (see {@link SdkAccess}). */
    private static final class Access extends SdkAccess {
        @Override
        public ApprovalRequest approvalRequest(ServerRequest request) {
            return ApprovalRequest.of(request);
        }

        @Override
        public PendingApproval createPending(ApprovalInbox inbox, String requestId, ApprovalRequest request) {
            return inbox.create(requestId, request);
        }

        @Override
        public void publish(ApprovalInbox inbox, PendingApproval pending) {
            inbox.publish(pending);
        }

        @Override
        public boolean cancel(PendingApproval pending, String reason) {
            return pending.cancel(reason);
        }

        @Override
        public Decision await(PendingApproval pending) throws InterruptedException {
            return pending.await();
        }

        @Override
        public long deadlineNanos(PendingApproval pending) {
            return pending.deadlineNanos();
        }

        @Override
        public RecordSchema<?> input(Tool tool) {
            return tool.input();
        }

        @Override
        public Tool.Function<Object> function(Tool tool) {
            return tool.function();
        }

        @Override
        public @Nullable String mismatch(RecordSchema<?> schema, JsonNode tree) {
            return schema.mismatch(tree);
        }

        @Override
        public DynamicToolCallResponse response(ToolOutput output) {
            return output.response();
        }
    }

    /**
     * Builds a {@link Codex}. Every setting has a default; {@link #build()} starts the child
     * process (or connects, see {@link #connect(URI, ServerAuth)}) and performs the
     * {@code initialize} handshake.
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
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> config = new LinkedHashMap<>();
        private String clientName = "codex4j";
        private String clientTitle = "codex4j";
        private String clientVersion = SDK_VERSION;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private ApprovalHandler approvalHandler = ApprovalHandler.declineAll();
        private @Nullable ApprovalInbox inbox;
        private boolean experimentalApi;
        private VersionPolicy versionPolicy = VersionPolicy.WARN;
        private final Set<String> optOut = new LinkedHashSet<>();
        private ConnectionOptions connectionOptions = ConnectionOptions.defaults();
        private Duration handshakeTimeout = Duration.ofSeconds(20);
        private Duration turnWatchdog = Duration.ofMinutes(2);
        private boolean checkAuthentication = true;
        private Transports.Factory transport = Transports.STDIO;
        private LinkOptions link = LinkOptions.defaults();
        private @Nullable CodexEventListener eventListener;
        private int subscriptionBuffer = 1024;
        private Duration reconnectTimeout = Duration.ofMinutes(2);
        private @Nullable Supervision supervision;
        private int maxConcurrentTurns = Integer.MAX_VALUE;
        private Duration admissionWait = Duration.ZERO;

        private Builder() {}

        /**
         * How long a turn may wait while the server cannot reach the model provider (it sends
         * {@code error} notifications with {@code willRetry}, such as "Reconnecting... 2/5" or
         * "Reconnecting... waiting for network", and the model has not answered since): past it
         * (2 minutes by default), the turn is interrupted and its consumer gets
         * {@link ModelUnreachableException} instead of waiting for ever. {@link Duration#ZERO}
         * waits as long as the server retries.
         *
         * @return this
         */
        public Builder reconnectTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("reconnectTimeout must not be negative: " + timeout);
            }
            this.reconnectTimeout = timeout;
            return this;
        }

        /**
         * How many notifications may wait for each subscription's listener ({@link Codex#subscribe},
         * {@link CodexThread#subscribe}, 1024 by default); past it, the oldest waiting ones are
         * dropped and counted (see {@link Subscription}).
         *
         * @return this
         * @throws IllegalArgumentException when not positive
         */
        public Builder subscriptionBuffer(int notifications) {
            if (notifications < 1) {
                throw new IllegalArgumentException("subscriptionBuffer must be positive: " + notifications);
            }
            this.subscriptionBuffer = notifications;
            return this;
        }

        /**
         * Observes the client: connection, requests, turns, server requests, dropped messages
         * (see {@link CodexEventListener} for its contract and threads). None by default, and then
         * the SDK takes no timings for it.
         *
         * @return this
         */
        public Builder eventListener(CodexEventListener listener) {
            this.eventListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

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

        /**
         * Parks the server's requests in an inbox to be answered later by any thread, instead of
         * asking the {@link #approvalHandler(ApprovalHandler) approval handler} (which is then
         * unused; a turn's own handler still takes its turn's requests). See {@link ApprovalInbox}.
         *
         * <pre>{@code
         * ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMinutes(5));
         * Codex codex = Codex.builder().approvalInbox(inbox).build();
         * }</pre>
         *
         * @param inbox the inbox, or null for the handler
         * @return this
         */
        public Builder approvalInbox(@Nullable ApprovalInbox inbox) {
            this.inbox = inbox;
            return this;
        }

        /**
         * Opts in to experimental protocol methods and fields; {@linkplain ThreadOptions.Builder#tool(Tool)
         * tools} need it ({@code thread/start}'s {@code dynamicTools} is experimental).
         *
         * @param enabled whether to opt in
         * @return this
         */
        public Builder experimentalApi(boolean enabled) {
            this.experimentalApi = enabled;
            return this;
        }

        /**
         * What to do with the server's Codex CLI version, read from its {@code initialize} reply
         * ({@link VersionPolicy#WARN} by default: run, and log a WARNING for an untested version).
         *
         * @param policy the policy
         * @return this
         */
        public Builder versionPolicy(VersionPolicy policy) {
            this.versionPolicy = Objects.requireNonNull(policy, "policy");
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
            this.connectionOptions = connectionOptions.toBuilder().overloadRetries(attempts)
                    .retryInitialDelay(initialDelay).retryMaxDelay(maxDelay).build();
            return this;
        }

        /**
         * How long {@link #build()} waits for the {@code initialize} reply (20 s by default; the
         * real server answers in about 0.15 s). A server that stays silent is killed at once
         * rather than waited for.
         *
         * @return this
         */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive: " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * The turn-completion watchdog: when a running turn has heard nothing from the server for
         * this long (2 minutes by default), the SDK reads the thread ({@code thread/read}) and, if
         * the server says the turn has ended, settles the turn from the server's view instead of
         * waiting forever for a {@code turn/completed} that was lost. {@link Duration#ZERO} turns
         * it off.
         *
         * @return this
         */
        public Builder turnWatchdog(Duration silence) {
            if (silence.isNegative()) {
                throw new IllegalArgumentException("turnWatchdog must not be negative: " + silence);
            }
            this.turnWatchdog = silence;
            return this;
        }

        /**
         * Whether to ask the server after the handshake whether it has the account its model
         * provider needs ({@code account/read}), so that a turn without credentials fails at once
         * with {@link dev.codex4j.errors.AuthenticationRequiredException} (default: true).
         *
         * @return this
         */
        public Builder checkAuthentication(boolean check) {
            this.checkAuthentication = check;
            return this;
        }

        /**
         * The longest line accepted from the server (64 MiB by default); a longer one ends the
         * connection with a {@link dev.codex4j.errors.TransportClosedException} caused by
         * {@link dev.codex4j.errors.LineTooLongException}.
         *
         * @return this
         */
        public Builder maxLineBytes(int bytes) {
            this.connectionOptions = connectionOptions.toBuilder().maxLineBytes(bytes).build();
            return this;
        }

        /**
         * The most bytes of events held for started turns that nobody consumes (256 MiB by
         * default); over it, the largest such turn is discarded and consuming it throws
         * {@link dev.codex4j.errors.TurnDiscardedException}. Turns being consumed are never
         * touched.
         *
         * @return this
         */
        public Builder maxUnconsumedBytes(long bytes) {
            this.connectionOptions = connectionOptions.toBuilder().maxUnconsumedBytes(bytes).build();
            return this;
        }

        /**
         * How long the reader lets lines accumulate between reads while traffic is sustained (the
         * default is a fraction of a millisecond; zero reads every line the moment it arrives). It
         * bounds the latency this adds to any event, and trades it for fewer wake-ups.
         *
         * @return this
         */
        public Builder coalesceWindow(Duration window) {
            this.connectionOptions = connectionOptions.toBuilder().coalesceWindow(window).build();
            return this;
        }

        /**
         * Supervises the app-server (off by default): when it is lost while the client is open (the
         * child exits or is killed, a remote link drops), what was in flight fails with
         * {@link dev.codex4j.errors.ServerLostException}, and the client starts the child again or
         * reconnects, with backoff, redoes the handshake and goes on; each {@link CodexThread} is
         * resumed on its next use. See {@link Supervision}.
         *
         * <pre>{@code
         * Codex codex = Codex.builder().supervise(Supervision.defaults()).build();
         * }</pre>
         *
         * @return this
         */
        public Builder supervise(Supervision supervision) {
            this.supervision = Objects.requireNonNull(supervision, "supervision");
            return this;
        }

        /**
         * Admission: at most {@code turns} turns run through this client at once (unlimited by
         * default). A {@code turn()} over the limit waits up to {@code wait} for a turn to end, then
         * throws {@link CapacityExceededException} having sent nothing; it never queues without
         * bound.
         *
         * <pre>{@code
         * Codex codex = Codex.builder().maxConcurrentTurns(32, Duration.ofSeconds(2)).build();
         * }</pre>
         *
         * @return this
         */
        public Builder maxConcurrentTurns(int turns, Duration wait) {
            if (turns < 1) {
                throw new IllegalArgumentException("maxConcurrentTurns must be positive: " + turns);
            }
            if (Objects.requireNonNull(wait, "wait").isNegative()) {
                throw new IllegalArgumentException("the admission wait must not be negative: " + wait);
            }
            this.maxConcurrentTurns = turns;
            this.admissionWait = wait;
            return this;
        }

        /** Any transport factory (internal: tests that restart an in-process fake). */
        Builder transport(Transports.Factory factory) {
            this.transport = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Connection tuning all at once (internal: benchmarks and tests). */
        Builder connectionOptions(ConnectionOptions options) {
            this.connectionOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Talks to an app-server over these streams instead of starting a child process (for
         * example testkit's in-process {@code FakeAppServer}).
         *
         * @return this
         */
        public Builder streams(InputStream fromServer, OutputStream toServer) {
            Objects.requireNonNull(fromServer, "fromServer");
            Objects.requireNonNull(toServer, "toServer");
            this.transport = (launch, closeTimeout, link) -> new StreamTransport(fromServer, toServer);
            return this;
        }

        /**
         * Starts the app-server as a child that listens on {@code address} instead of stdio, and
         * talks to it there (the launch settings apply as for stdio; closing the client ends the
         * child). {@link ListenAddress#stdio()} is the default.
         *
         * <pre>{@code
         * Codex codex = Codex.builder().listen(ListenAddress.webSocket()).build();
         * }</pre>
         *
         * @return this
         */
        public Builder listen(ListenAddress address) {
            this.transport = Transports.listen(address);
            return this;
        }

        /**
         * Talks to an app-server that already runs, instead of starting one: {@code ws://host:port},
         * {@code wss://host:port} (TLS, for example through a proxy in front of the server) or
         * {@code unix:///path/to/socket}, with no token. Launch settings ({@link #launch},
         * {@link #cwd}, {@link #env}, {@link #config}, {@link #codexPath}) do not apply; closing the
         * client closes the connection, not the server.
         *
         * @return this
         * @throws IllegalArgumentException when the URI is none of these
         */
        public Builder connect(URI endpoint) {
            return connect(endpoint, ServerAuth.none());
        }

        /**
         * Talks to an app-server that already runs, proving the client with {@code auth} (see
         * {@link ServerAuth}). A refused token fails {@link #build()} with
         * {@link dev.codex4j.errors.AuthenticationException}; a server that cannot be reached
         * with {@link dev.codex4j.errors.TransportClosedException}.
         *
         * <pre>{@code
         * Codex codex = Codex.builder()
         *         .connect(URI.create("ws://127.0.0.1:4500"), ServerAuth.capabilityToken(Path.of("/run/codex/token")))
         *         .build();
         * }</pre>
         *
         * @return this
         * @throws IllegalArgumentException when the URI is not {@code ws://}, {@code wss://} or
         *     {@code unix://}, or when a token would go in clear text ({@code ws://}) to an address
         *     that is not loopback
         */
        public Builder connect(URI endpoint, ServerAuth auth) {
            this.transport = Transports.remote(endpoint, auth);
            return this;
        }

        /**
         * The TLS settings for {@code wss://} endpoints (trusted certificates, client certificate);
         * the JDK's default otherwise.
         *
         * @return this
         */
        public Builder sslContext(SSLContext context) {
            this.link = link.withSslContext(Objects.requireNonNull(context, "context"));
            return this;
        }

        /**
         * Liveness of socket links (WebSocket, unix socket): after {@code interval} without a word
         * from the server a ping is sent, and if the server stays silent for {@code timeout} more,
         * the link counts as dead and every waiter fails with
         * {@link dev.codex4j.errors.TransportClosedException} (15 s and 10 s by default; a zero
         * interval turns it off). Stdio needs none: a dead child's pipe ends at once.
         *
         * @return this
         */
        public Builder keepAlive(Duration interval, Duration timeout) {
            this.link = link.withKeepAlive(interval, timeout);
            return this;
        }

        /**
         * Starts the app-server and performs the handshake.
         *
         * @return the connected client
         * @throws dev.codex4j.errors.CodexCliNotFoundException when no Codex binary is found and the download is off
         * @throws dev.codex4j.errors.CodexCliInstallException when the CLI had to be downloaded and the download failed
         * @throws dev.codex4j.errors.TransportClosedException when the child exits during the handshake,
         *     or the server cannot be reached
         * @throws dev.codex4j.errors.AuthenticationException when a remote server refuses the client's token
         */
        public Codex build() {
            return new Codex(options());
        }

        /** @return the configuration as it stands now, one immutable value (the fleet derives its endpoints' from it) */
        CodexOptions options() {
            AppServerLaunch l = launch;
            if (codexPath != null) {
                l = l.withExecutable(codexPath);
            }
            if (cwd != null) {
                l = l.withWorkingDirectory(cwd);
            }
            return new CodexOptions(l.withEnv(env).withConfig(config), transport, link, connectionOptions, clientName,
                    clientTitle, clientVersion, experimentalApi, versionPolicy, List.copyOf(optOut), requestTimeout, closeTimeout,
                    handshakeTimeout, turnWatchdog, checkAuthentication, approvalHandler, inbox, eventListener,
                    subscriptionBuffer, reconnectTimeout, supervision, maxConcurrentTurns, admissionWait);
        }

        /** @return the SDK's version, sent as the default client version */
        public static String sdkVersion() {
            return SDK_VERSION;
        }

    }
}
