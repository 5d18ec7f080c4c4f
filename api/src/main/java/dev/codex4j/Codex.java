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
import dev.codex4j.internal.sdk.Admission;
import dev.codex4j.internal.sdk.CodexOptions;
import dev.codex4j.internal.sdk.Link;
import dev.codex4j.internal.sdk.SdkAccess;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.Transports;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.GetAccountRateLimitsParams;
import dev.codex4j.protocol.types.GetAccountRateLimitsResponse;
import dev.codex4j.protocol.types.RateLimitSnapshot;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.types.DynamicToolCallResponse;
import dev.codex4j.protocol.types.GetAccountParams;
import dev.codex4j.protocol.types.GetAccountResponse;
import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.protocol.types.HooksListParams;
import dev.codex4j.protocol.types.HooksListResponse;
import dev.codex4j.protocol.types.InitializeResponse;
import dev.codex4j.protocol.types.LoginAccountParams;
import dev.codex4j.protocol.types.Model;
import dev.codex4j.protocol.types.ModelListParams;
import dev.codex4j.protocol.types.ModelListResponse;
import dev.codex4j.protocol.types.ThreadArchiveParams;
import dev.codex4j.protocol.types.ReviewTarget;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client of one {@code codex app-server}: start, resume and fork threads, run turns, answer
 * approvals. The server is a child process on stdio by default, a child listening on a socket
 * ({@link CodexBuilder#listen}), or one that already runs ({@link CodexBuilder#connect}: {@code ws://},
 * {@code wss://}, {@code unix://}). Thread-safe; any number of threads and turns run concurrently
 * over its one connection. Closing it ends the child process (if it started one) and every thread
 * of the SDK, and fails the turns still running with
 * {@link dev.codex4j.errors.TransportClosedException}. A client built with
 * {@link CodexBuilder#supervise(Supervision)} outlives the loss of its server: it restarts or reconnects
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

    /** @return the SDK's version (for {@link CodexBuilder}) */
    static String sdkVersionOf() {
        return SDK_VERSION;
    }

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
    public static CodexBuilder builder() {
        return new CodexBuilder();
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
     *     and this client was built without {@link CodexBuilder#experimentalApi(boolean) experimentalApi(true)}
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
     * Reviews code on a thread of its own, started with these options (their {@code cwd}: the git
     * repository), and waits for the review. Codex 0.171.0's {@code review/start} delivers only
     * inline, so the SDK starts the thread and reviews there; {@link ReviewResult#threadId()} names it.
     *
     * <pre>{@code
     * ReviewResult r = codex.review(ReviewTarget.Commit.builder().sha("HEAD").build(),
     *         ThreadOptions.builder().cwd(repo).build());
     * }</pre>
     *
     * @param target what to review (see {@link CodexThread#review(ReviewTarget)})
     * @param options the review thread's options
     * @return the review
     */
    public ReviewResult review(ReviewTarget target, ThreadOptions options) {
        Objects.requireNonNull(target, "target");
        return startThread(options).review(target);
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

    /**
     * Archives a thread ({@code thread/archive}) and forgets it on this client: its spend and budget
     * ({@link CodexThread#spend()}, {@link CodexThread#budget()}; {@link #spend()} keeps what its
     * turns spent), the chain that answered its server-started turns, and the settings a supervised
     * restart would send again.
     */
    public void archiveThread(String threadId) {
        session.call(ClientMethods.THREAD_ARCHIVE, ThreadArchiveParams.builder().threadId(threadId).build());
        session.forgetThread(threadId);
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
     * Reads the account's rate limits from the server ({@code account/rateLimits/read}); the client
     * remembers them as {@link #rateLimits()}.
     *
     * <pre>{@code
     * RateLimitWindow w = codex.readRateLimits().rateLimits().primary();
     * if (w != null) System.out.println(w.usedPercent() + "% used, resets at " + w.resetsAt());
     * }</pre>
     *
     * @return the server's reply (the generated type: the limits, and per limit id)
     * @throws dev.codex4j.errors.CodexRpcException for an error reply (a server without an account
     *     may have no limits to read)
     */
    public GetAccountRateLimitsResponse readRateLimits() {
        GetAccountRateLimitsResponse r = session.call(ClientMethods.ACCOUNT_RATE_LIMITS_READ,
                GetAccountRateLimitsParams.builder().build());
        session.rateLimits().update(r.rateLimits());
        return r;
    }

    /**
     * @return the account's rate limits as this client last heard of them: the server's last
     *     {@code account/rateLimits/updated} (it sends one after each model call) or
     *     {@link #readRateLimits()}; empty before either
     */
    public Optional<RateLimitSnapshot> rateLimits() {
        return Optional.ofNullable(session.rateLimits().last());
    }

    /**
     * @return what this client's turns spent so far (the turns folded to a result): their tokens,
     *     and their cost at the client's {@link PriceTable} (unknown when a model had no price)
     */
    public Spend spend() {
        return session.spending().client();
    }

    /**
     * @return the MCP servers of this client's app-server at run time: status, reload, OAuth
     *     sign-in, resources and direct tool calls (register them with {@link CodexBuilder#mcpServer(McpServer)})
     */
    public McpServers mcp() {
        return new McpServers(this);
    }

    /**
     * The server's own hooks ({@code hooks/list}): the commands Codex runs on its lifecycle events
     * ({@code PreToolUse}, {@code UserPromptSubmit}, {@code Stop}, ...), configured under
     * {@code [hooks]} in its configuration or by plugins, per working directory, with their
     * trust status, warnings and errors. Their runs arrive as {@link TurnEvent.HookStarted} and
     * {@link TurnEvent.HookCompleted}.
     *
     * @return the hooks of the server's working directory
     */
    public HooksListResponse listHooks() {
        return listHooks(HooksListParams.builder().build());
    }

    /**
     * The server's own hooks ({@code hooks/list}) for some working directories or a thread.
     *
     * @param query the {@code cwds} and/or {@code threadId} to list them for
     * @return one entry per working directory
     */
    public HooksListResponse listHooks(HooksListParams query) {
        return session.call(ClientMethods.HOOKS_LIST, Objects.requireNonNull(query, "query"));
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
        return subscribe(listener, session.options().maxDelay());
    }

    /**
     * {@link #subscribe(Consumer)} with a latency budget: a notification waits at most
     * {@code maxDelay} plus the dispatcher's coalescing window before the listener's thread is
     * woken for it, at most once per {@code maxDelay} while notifications keep coming (see
     * {@link CodexBuilder#maxDelay(Duration)}).
     *
     * @param listener receives each notification
     * @param maxDelay the longest a notification may wait beyond the window ({@link Duration#ZERO}: none)
     * @return the subscription; close it to stop listening
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     * @throws dev.codex4j.errors.TransportClosedException when the client is closed
     */
    public Subscription subscribe(Consumer<? super ServerNotification> listener, Duration maxDelay) {
        Objects.requireNonNull(listener, "listener");
        Waits.maxDelay(maxDelay);
        return new Subscription(session.connection().subscribeGlobal(in -> listener.accept(Session.typed(in)),
                session.options().subscriptionBuffer(), maxDelay));
    }

    /**
     * {@link #subscribe} as a {@link java.util.concurrent.Flow.Publisher}: the notifications that
     * name no thread, for Reactive Streams libraries. Each subscriber gets a subscription of its
     * own; backpressure is honoured with a bounded buffer whose overflow is a typed error;
     * cancelling unsubscribes; closing the client completes it. See {@link NotificationPublisher}.
     *
     * @return a publisher; each {@code subscribe} listens from then on
     */
    public NotificationPublisher publisher() {
        return publisher(session.options().maxDelay());
    }

    /**
     * {@link #publisher()} with a latency budget, as {@link #subscribe(Consumer, Duration)}: a
     * notification waits at most {@code maxDelay} plus the dispatcher's coalescing window before
     * the subscription's thread is woken for it, and that thread is woken at most once per
     * {@code maxDelay} while notifications keep coming. {@link #publisher()} takes the client's
     * default ({@link CodexBuilder#maxDelay(Duration)}).
     *
     * @param maxDelay the longest a notification may wait beyond the window ({@link Duration#ZERO}: none)
     * @return a publisher; each {@code subscribe} listens from then on, with this budget
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     */
    public NotificationPublisher publisher(Duration maxDelay) {
        Waits.maxDelay(maxDelay);
        return new NotificationPublisher("the client's notifications", session.options().subscriptionBuffer(),
                session::connection, l -> subscribe(l, maxDelay));
    }

    /**
     * {@link #subscribe} as a stream to pull from.
     *
     * @return the notifications that name no thread, from now on; close it to stop listening
     */
    public NotificationStream events() {
        return events(session.options().maxDelay());
    }

    /**
     * {@link #events()} with a latency budget (see {@link #subscribe(Consumer, Duration)}).
     *
     * @param maxDelay the longest a notification may wait beyond the window ({@link Duration#ZERO}: none)
     * @return the notifications that name no thread, from now on; close it to stop listening
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     */
    public NotificationStream events(Duration maxDelay) {
        Waits.maxDelay(maxDelay);
        return new NotificationStream(session.options().subscriptionBuffer(), this::isOpen, l -> subscribe(l, maxDelay));
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
     *     {@link CodexBuilder#maxConcurrentTurns} this is at most that many
     */
    public int activeTurns() {
        return session.admission().active();
    }

    /**
     * How late the dispatcher was in its last read batch: from the batch's first read of the
     * server's output to the end of its consumers' wake-ups, on the current connection. A gauge for
     * operators (the metrics module exports it): a lag that grows means the dispatcher (or a
     * listener callback it runs) cannot keep up. Costs one volatile read.
     *
     * @return the last batch's lag; {@link Duration#ZERO} before the connection's first batch
     */
    public Duration dispatcherLag() {
        return Duration.ofNanos(session.connection().dispatcherLagNanos());
    }

    /**
     * Shuts down gracefully: from now on no new turn starts ({@code turn()} throws
     * {@link dev.codex4j.errors.CapacityExceededException}, having sent nothing); the turns in
     * flight may finish for up to {@code grace}; then the client {@link #close() closes}, which
     * ends the turns still running (their consumers get a
     * {@link dev.codex4j.errors.TransportClosedException}) and the child process. Other requests
     * (threads, models, accounts) work until the close. Idempotent; a second call waits and closes
     * again, at no cost.
     *
     * <pre>{@code
     * boolean clean = codex.shutdown(Duration.ofSeconds(30));
     * }</pre>
     *
     * @param grace how long the turns in flight may still run
     * @return whether every turn ended within {@code grace} (false: some were cut by the close, or
     *     the caller was interrupted, whose interrupt status is then set again)
     */
    @Override
    public boolean shutdown(Duration grace) {
        if (Objects.requireNonNull(grace, "grace").isNegative()) {
            throw new IllegalArgumentException("the grace period must not be negative: " + grace);
        }
        Admission admission = session.admission();
        admission.drain();
        boolean idle;
        try {
            idle = admission.awaitIdle(Deadline.after(grace));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        close();
        return idle;
    }

    /** @return whether {@link #shutdown} was called: the client takes no new turns */
    public boolean isShuttingDown() {
        return session.admission().isDraining();
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

}
