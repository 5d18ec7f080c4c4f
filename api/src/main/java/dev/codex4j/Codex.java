package dev.codex4j;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.CodexException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ClientMethod;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ClientNotifications;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.TurnInterruptParams;
import dev.codex4j.protocol.types.ClientInfo;
import dev.codex4j.protocol.types.GetAccountParams;
import dev.codex4j.protocol.types.GetAccountResponse;
import dev.codex4j.protocol.types.InitializeCapabilities;
import dev.codex4j.protocol.types.InitializeParams;
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
import dev.codex4j.protocol.methods.TypedCodec;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.RuntimeEvents;
import dev.codex4j.internal.runtime.ServerRequestHandler;
import dev.codex4j.internal.sdk.SafeListener;
import dev.codex4j.internal.sdk.SdkJfr;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.internal.runtime.StdioTransport;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.internal.runtime.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
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
 * {@link dev.codex4j.protocol.TransportClosedException}.
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
    private static final System.Logger LOG = System.getLogger(Codex.class.getName());
    private static final String SDK_VERSION = readVersion();

    private final Connection connection;
    private final Duration requestTimeout;
    private final ApprovalHandler approvalHandler;
    private final InitializeResponse metadata;
    private final TurnWatchdog watchdog;
    /** The user's event listener, made safe; null when none was set (then nothing is observed). */
    private final @Nullable SafeListener listener;
    private final int subscriptionBuffer;
    private final boolean checkAuthentication;
    private final Duration reconnectTimeout;
    /** From account/read: true when the server needs an OpenAI account and has none. */
    private volatile boolean authenticationMissing;

    private Codex(Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.approvalHandler = b.approvalHandler;
        AppServerLaunch launch = b.launch;
        if (b.codexPath != null) {
            launch = launch.withExecutable(b.codexPath);
        }
        if (b.cwd != null) {
            launch = launch.withWorkingDirectory(b.cwd);
        }
        launch = launch.withEnv(b.env).withConfig(b.config);
        Transport transport = b.transport.open(launch, b.closeTimeout, b.link.withConnectTimeout(b.handshakeTimeout));
        ConnectionOptions options = b.connectionOptions.toBuilder().requestTimeout(b.requestTimeout).build();
        this.listener = b.eventListener == null ? null : new SafeListener(b.eventListener);
        this.subscriptionBuffer = b.subscriptionBuffer;
        this.checkAuthentication = b.checkAuthentication;
        this.reconnectTimeout = b.reconnectTimeout;
        this.connection = Connection.open(transport, options, listener == null ? RuntimeEvents.NONE : listener);
        try {
            connection.serverRequestHandler(approvals(null));
            InitializeCapabilities.Builder caps = InitializeCapabilities.builder().experimentalApi(b.experimentalApi);
            if (!b.optOut.isEmpty()) {
                caps.optOutNotificationMethods(List.copyOf(b.optOut));
            }
            InitializeParams init = InitializeParams.builder()
                    .clientInfo(ClientInfo.builder().name(b.clientName).title(b.clientTitle).version(b.clientVersion).build())
                    .capabilities(caps.build())
                    .build();
            this.metadata = call(ClientMethods.INITIALIZE, init, b.handshakeTimeout);
            connection.notify(ClientNotifications.INITIALIZED.name(), TypedCodec.params(null));
            if (b.checkAuthentication) {
                connection.subscribeGlobal(in -> {
                    if (ServerNotification.AccountUpdated.METHOD.equals(in.method())) {
                        connection.startThread("codex4j-account", this::readAccount);
                    }
                });
                readAccount();
            }
        } catch (RuntimeException e) {
            // A server that does not answer the handshake is broken: do not wait for it to exit.
            if (transport instanceof StdioTransport stdio) {
                stdio.processHandle().destroyForcibly();
            }
            connection.close();
            throw e;
        }
        this.watchdog = new TurnWatchdog(this, b.turnWatchdog);
        watchdog.start();
        if (listener != null) {
            listener.connectionOpened(connection.describe(), metadata);
            connection.onClose(listener::connectionClosed);
        }
    }

    /** @return the event listener, or null when none is set */
    @Nullable SafeListener listener() {
        return listener;
    }

    /** Reads whether the server has the account it needs; a server without the method needs none. */
    private void readAccount() {
        try {
            GetAccountResponse r = account();
            authenticationMissing = r.requiresOpenaiAuth() && r.account() == null;
        } catch (dev.codex4j.protocol.CodexRpcException e) {
            authenticationMissing = false;
        } catch (RuntimeException e) {
            // including a reply that does not bind (a newer server): no claim about credentials
            LOG.log(System.Logger.Level.DEBUG, () -> "account/read failed: " + e);
        }
    }

    /** Throws when a turn could only wait for credentials the server does not have. */
    void checkCanRunTurns() {
        if (authenticationMissing) {
            throw new dev.codex4j.protocol.AuthenticationRequiredException("The app-server needs an OpenAI account"
                    + " (account/read says requiresOpenaiAuth and there is no account), so this turn would only"
                    + " reconnect and wait for the network. Sign in (codex login, or OPENAI_API_KEY in the"
                    + " app-server's environment), or configure a model provider that needs none.");
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

    /**
     * @return what the server said in its {@code initialize} reply: {@code userAgent} (which begins
     *     with the client's own name, then the CLI version), {@code codexHome}, {@code platformOs}, ...
     */
    public InitializeResponse metadata() {
        return metadata;
    }

    /** @return a new thread with the server's defaults ({@code thread/start}) */
    public CodexThread startThread() {
        return startThread(ThreadOptions.defaults());
    }

    /** @return a new thread with these options ({@code thread/start}) */
    public CodexThread startThread(ThreadOptions options) {
        checkDirectory(options.cwd(), "the thread's cwd");
        return new CodexThread(this, call(ClientMethods.THREAD_START, options.startParams()).thread());
    }

    /** @return the existing thread, loaded (from disk if needed) and ready for turns ({@code thread/resume}) */
    public CodexThread resumeThread(String threadId) {
        return resumeThread(threadId, ThreadOptions.defaults());
    }

    /**
     * @return the existing thread, resumed with these options ({@code thread/resume})
     * @throws IllegalArgumentException when the options set {@code ephemeral}, which only a start takes
     */
    public CodexThread resumeThread(String threadId, ThreadOptions options) {
        checkDirectory(options.cwd(), "the thread's cwd");
        ThreadResumeParams params = options.resumeParams(Objects.requireNonNull(threadId, "threadId"));
        return new CodexThread(this, call(ClientMethods.THREAD_RESUME, params).thread());
    }

    /** @return a new thread with a copy of the given thread's history ({@code thread/fork}) */
    public CodexThread forkThread(String threadId) {
        return forkThread(threadId, ThreadOptions.defaults());
    }

    /** @return a fork of the thread with these options ({@code thread/fork}) */
    public CodexThread forkThread(String threadId, ThreadOptions options) {
        checkDirectory(options.cwd(), "the thread's cwd");
        ThreadForkParams params = options.forkParams(Objects.requireNonNull(threadId, "threadId"));
        return new CodexThread(this, call(ClientMethods.THREAD_FORK, params).thread());
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
        return call(ClientMethods.THREAD_LIST, Objects.requireNonNull(query, "query"));
    }

    /** Archives a thread ({@code thread/archive}). */
    public void archiveThread(String threadId) {
        call(ClientMethods.THREAD_ARCHIVE, ThreadArchiveParams.builder().threadId(threadId).build());
    }

    /** Brings an archived thread back ({@code thread/unarchive}). */
    public void unarchiveThread(String threadId) {
        call(ClientMethods.THREAD_UNARCHIVE, ThreadUnarchiveParams.builder().threadId(threadId).build());
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
            ModelListResponse r = call(ClientMethods.MODEL_LIST, p.build());
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
        return call(ClientMethods.ACCOUNT_READ, GetAccountParams.builder().build());
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
     * @throws dev.codex4j.protocol.CodexRpcException when the server refuses to start it (for
     *     example a device code it could not request: no network)
     */
    public Login login(LoginAccountParams params) {
        return new Login(this, Objects.requireNonNull(params, "params"));
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
        try (Login login = login(LoginAccountParams.ApiKey.builder().apiKey(apiKey).build())) {
            login.await(requestTimeout);
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
     * @throws dev.codex4j.protocol.CodexRpcException when the server cannot request a code (no network)
     */
    public Login loginWithDeviceCode() {
        return login(LoginAccountParams.ChatgptDeviceCode.builder().build());
    }

    /** Signs out ({@code account/logout}); turns then fail fast with {@link dev.codex4j.protocol.AuthenticationRequiredException} if the provider needs an account. */
    public void logout() {
        call(ClientMethods.ACCOUNT_LOGOUT, null);
        refreshAccount();
    }

    /** Reads the account again (after a login or logout), if the client checks credentials at all. */
    void refreshAccount() {
        if (checkAuthentication) {
            readAccount();
        }
    }

    /**
     * Sends any protocol request as raw JSON and waits for its result: the escape hatch for a
     * method newer than this SDK's types (prefer {@link #request(ClientMethod, Object)}).
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
     * @throws dev.codex4j.protocol.ProtocolException when the result does not bind to {@code R}
     */
    public <P, R> R request(ClientMethod<P, R> method, @Nullable P params) {
        return call(method, params);
    }

    /** @return {@link #request(String, JsonNode)} without waiting */
    public CompletableFuture<JsonNode> requestAsync(String method, JsonNode params) {
        return connection.request(method, params);
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
     * @throws dev.codex4j.protocol.TransportClosedException when the client is closed
     */
    public Subscription subscribe(Consumer<? super ServerNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        return new Subscription(connection.subscribeGlobal(in -> listener.accept(typed(in)), subscriptionBuffer));
    }

    /**
     * {@link #subscribe} as a stream to pull from.
     *
     * @return the notifications that name no thread, from now on; close it to stop listening
     */
    public NotificationStream events() {
        return new NotificationStream(subscriptionBuffer, this::isOpen, this::subscribe);
    }

    /** A routed notification, typed; one that does not decode is an Unknown that says why. */
    static ServerNotification typed(Inbound in) {
        String method = Objects.requireNonNullElse(in.method(), "");
        try {
            return TypedCodec.notification(method, in.bytes(), 0, in.size());
        } catch (dev.codex4j.protocol.ProtocolException e) {
            return new ServerNotification.Unknown(method, tools.jackson.databind.node.NullNode.getInstance(),
                    "does not decode: " + e.getMessage());
        }
    }

    Duration reconnectTimeout() {
        return reconnectTimeout;
    }

    int subscriptionBuffer() {
        return subscriptionBuffer;
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

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** For a local app-server: a working directory that does not exist is an error before anything is sent. */
    void checkDirectory(@Nullable Path dir, String what) {
        if (dir != null && connection.isLocal() && !java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " " + dir + (java.nio.file.Files.exists(dir)
                    ? " is not a directory" : " does not exist"));
        }
    }

    Connection connection() {
        return connection;
    }

    JsonNode call(String method, JsonNode params) {
        return call(method, params, requestTimeout);
    }

    /** Sends a typed request and binds its result strictly (a result that does not bind is a DecodeException). */
    <P, R> R call(ClientMethod<P, R> method, @Nullable P params) {
        return call(method, params, requestTimeout);
    }

    <P, R> R call(ClientMethod<P, R> method, @Nullable P params, Duration timeout) {
        return TypedCodec.result(method, call(method.name(), TypedCodec.params(params), timeout));
    }

    JsonNode call(String method, JsonNode params, Duration timeout) {
        try {
            return connection.call(method, params, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodexException("Interrupted while waiting for the reply to " + method, e);
        }
    }

    /**
     * The runtime's handler of server requests for one turn's options (or the client's, for null):
     * the typed request, answered by the turn's {@link ApprovalHandler} if it has one, else the
     * client's. The runtime picks it by the request's thread id (the thread's reservation).
     */
    ServerRequestHandler approvals(@Nullable TurnOptions turn) {
        ApprovalHandler handler = turn != null && turn.approvalHandler() != null ? turn.approvalHandler() : approvalHandler;
        return request -> {
            ApprovalRequest typed = ApprovalRequest.of(TypedCodec.serverRequest(request));
            SdkJfr.ServerRequest jfr = new SdkJfr.ServerRequest();
            SafeListener l = listener;
            if (l == null && !jfr.isEnabled()) {
                return ApprovalReplies.answer(typed, handler, this::interruptForApproval);
            }
            return observedAnswer(typed, handler, l, jfr);
        };
    }

    /** Answers a server request, telling the listener and the flight recorder. */
    private JsonNode observedAnswer(ApprovalRequest typed, ApprovalHandler handler, @Nullable SafeListener l,
            SdkJfr.ServerRequest jfr) throws InterruptedException {
        long start = System.nanoTime();
        jfr.begin();
        if (l != null) {
            l.serverRequestReceived(typed);
        }
        String decision = "failed";
        try {
            JsonNode result = ApprovalReplies.answer(typed, handler, this::interruptForApproval);
            decision = decisionOf(result);
            return result;
        } catch (dev.codex4j.internal.runtime.ServerRequestException e) {
            decision = "error " + e.code();
            throw e;
        } finally {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.method = typed.method();
                jfr.threadId = typed.threadId();
                jfr.decision = decision;
                jfr.commit();
            }
            if (l != null) {
                l.serverRequestAnswered(typed, decision, Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /** The decision a reply carries: {@code {"decision":"accept"}}, {@code {"decision":{"acceptWith...":..}}}, else "answered". */
    private static String decisionOf(JsonNode result) {
        JsonNode d = result.path("decision");
        if (d.isString()) {
            return d.asString();
        }
        if (d.isObject() && !d.isEmpty()) {
            return d.propertyNames().iterator().next();
        }
        return "answered";
    }

    /** A cancelled permissions request: the reply cannot cancel, so the turn is interrupted before it is sent. */
    private void interruptForApproval(String threadId, String turnId) {
        try {
            call(ClientMethods.TURN_INTERRUPT, TurnInterruptParams.builder().threadId(threadId).turnId(turnId).build());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "Could not interrupt turn " + turnId + " after cancelling its"
                    + " permissions request: " + e);
        }
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
        private Duration handshakeTimeout = Duration.ofSeconds(20);
        private Duration turnWatchdog = Duration.ofMinutes(2);
        private boolean checkAuthentication = true;
        private Transports.Factory transport = Transports.STDIO;
        private LinkOptions link = LinkOptions.defaults();
        private @Nullable CodexEventListener eventListener;
        private int subscriptionBuffer = 1024;
        private Duration reconnectTimeout = Duration.ofMinutes(2);

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
         * with {@link dev.codex4j.protocol.AuthenticationRequiredException} (default: true).
         *
         * @return this
         */
        public Builder checkAuthentication(boolean check) {
            this.checkAuthentication = check;
            return this;
        }

        /**
         * The longest line accepted from the server (64 MiB by default); a longer one ends the
         * connection with a {@link dev.codex4j.protocol.TransportClosedException} caused by
         * {@link dev.codex4j.protocol.LineTooLongException}.
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
         * {@link dev.codex4j.protocol.TurnDiscardedException}. Turns being consumed are never
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
         * {@link dev.codex4j.protocol.AuthenticationException}; a server that cannot be reached
         * with {@link dev.codex4j.protocol.TransportClosedException}.
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
         * {@link dev.codex4j.protocol.TransportClosedException} (15 s and 10 s by default; a zero
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
         * @throws dev.codex4j.protocol.CodexCliNotFoundException when no Codex binary is found
         * @throws dev.codex4j.protocol.TransportClosedException when the child exits during the handshake,
         *     or the server cannot be reached
         * @throws dev.codex4j.protocol.AuthenticationException when a remote server refuses the client's token
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
