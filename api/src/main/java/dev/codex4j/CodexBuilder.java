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
import dev.codex4j.internal.sdk.UsageOptions;
import dev.codex4j.internal.sdk.Link;
import dev.codex4j.internal.sdk.ListenerFanOut;
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
public final class CodexBuilder {
    private AppServerLaunch launch = AppServerLaunch.defaults();
    private @Nullable Path codexPath;
    private @Nullable Path cwd;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private String clientName = "codex4j";
    private String clientTitle = "codex4j";
    private String clientVersion = Codex.sdkVersionOf();
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
    private final List<CodexEventListener> eventListeners = new ArrayList<>();
    private int subscriptionBuffer = 1024;
    private Duration maxDelay = Duration.ZERO;
    private Duration reconnectTimeout = Duration.ofMinutes(2);
    private @Nullable Supervision supervision;
    private int maxConcurrentTurns = Integer.MAX_VALUE;
    private Duration admissionWait = Duration.ZERO;
    private UsageOptions usage = UsageOptions.DEFAULTS;

    /** Use {@link Codex#builder()}. */
    CodexBuilder() {}

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
    public CodexBuilder reconnectTimeout(Duration timeout) {
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
    public CodexBuilder subscriptionBuffer(int notifications) {
        if (notifications < 1) {
            throw new IllegalArgumentException("subscriptionBuffer must be positive: " + notifications);
        }
        this.subscriptionBuffer = notifications;
        return this;
    }

    /**
     * The client's default latency budget: how long an event may wait for its consumer beyond the
     * dispatcher's coalescing window (1 ms), for every {@link TurnHandle#events()} stream,
     * {@link Codex#subscribe} and {@link CodexThread#subscribe} listener and {@code events()}
     * notification stream that does not state its own ({@code events(maxDelay)},
     * {@code subscribe(listener, maxDelay)}).
     *
     * <p>A consumer with a budget is woken at most once per budget while events keep coming (the
     * first event after a quiet spell at once), and at once for what cannot wait:
     * {@code turn/completed}, {@code error}, a server request of its turn, and a pile of events
     * (the high-water mark). That is fewer wake-ups, context switches and virtual-thread mounts per
     * event: a UI that draws a frame every 16-50 ms loses nothing by stating it, and a backend
     * streaming many turns at once saves most of the SDK's CPU per event
     * (docs/PERFORMANCE.md). {@code run()} is not affected: it is woken only when the turn ends.
     *
     * <p>The default, {@link Duration#ZERO}, wakes every consumer with each read batch, so code
     * that relays every token as it comes (a proxy) sees no added delay; set 16-50 ms for a UI.
     *
     * @param maxDelay the longest an event may wait for its consumer beyond the window; zero: none
     * @return this
     * @throws IllegalArgumentException when negative
     */
    public CodexBuilder maxDelay(Duration maxDelay) {
        this.maxDelay = dev.codex4j.internal.sdk.Waits.maxDelay(maxDelay);
        return this;
    }

    /**
     * Observes the client: connection, requests, turns, server requests, dropped messages
     * (see {@link CodexEventListener} for its contract and threads). None by default, and then
     * the SDK takes no timings for it.
     *
     * <p>May be called more than once (the application's own listener, a metrics one, a tracing
     * one): each listener gets every callback, in the order they were added, and each is made safe
     * on its own, so that one that throws or is slow never keeps the next from its callback.
     *
     * @return this
     */
    public CodexBuilder eventListener(CodexEventListener listener) {
        eventListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** @return this, starting from these launch settings (for example testkit's offline fixture) */
    public CodexBuilder launch(AppServerLaunch launch) {
        this.launch = Objects.requireNonNull(launch, "launch");
        return this;
    }

    /** @return this, with the Codex binary to run (else searched: $CODEX4J_CODEX_PATH, the pinned cache, PATH) */
    public CodexBuilder codexPath(Path path) {
        this.codexPath = path;
        return this;
    }

    /** @return this, with the app-server's working directory (threads default to it) */
    public CodexBuilder cwd(Path cwd) {
        this.cwd = cwd;
        return this;
    }

    /** @return this, with an environment variable for the child (over the parent's) */
    public CodexBuilder env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** @return this, with environment variables for the child */
    public CodexBuilder env(Map<String, String> vars) {
        env.putAll(vars);
        return this;
    }

    /** @return this, with a {@code -c key=value} config override; the value is TOML ({@code "\"text\""}) */
    public CodexBuilder config(String key, String tomlValue) {
        config.put(key, tomlValue);
        return this;
    }

    /**
     * Registers an MCP server for this client's Codex CLI (see {@link McpServer}): passed as one
     * {@code -c mcp_servers.<name>={...}} override, so the user's {@code config.toml} is never
     * touched; a server of the same name there is replaced for this client. Applies to a child
     * the client starts, not to a server it {@linkplain #connect connects} to.
     *
     * @param server the server
     * @return this
     */
    public CodexBuilder mcpServer(McpServer server) {
        Objects.requireNonNull(server, "server");
        config.put(server.configKey(), server.configValue());
        return this;
    }

    /** @return this, with the client name sent in {@code initialize} (it starts the userAgent) */
    public CodexBuilder clientName(String name) {
        this.clientName = name;
        return this;
    }

    /** @return this, with the client title sent in {@code initialize} */
    public CodexBuilder clientTitle(String title) {
        this.clientTitle = title;
        return this;
    }

    /** @return this, with the client version sent in {@code initialize} */
    public CodexBuilder clientVersion(String version) {
        this.clientVersion = version;
        return this;
    }

    /** @return this, with the default timeout of every request (60 s by default) */
    public CodexBuilder requestTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
        }
        this.requestTimeout = timeout;
        return this;
    }

    /** @return this, with how long close() waits for the child to exit before killing it (5 s) */
    public CodexBuilder closeTimeout(Duration timeout) {
        this.closeTimeout = timeout;
        return this;
    }

    /** @return this, with the handler of approvals and other server requests (default: decline all) */
    public CodexBuilder approvalHandler(ApprovalHandler handler) {
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
    public CodexBuilder approvalInbox(@Nullable ApprovalInbox inbox) {
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
    public CodexBuilder experimentalApi(boolean enabled) {
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
    public CodexBuilder versionPolicy(VersionPolicy policy) {
        this.versionPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** @return this, asking the server not to send these notifications (for example {@code item/agentMessage/delta}) */
    public CodexBuilder optOutNotifications(String... methods) {
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
    public CodexBuilder overloadRetry(int attempts, Duration initialDelay, Duration maxDelay) {
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
    public CodexBuilder handshakeTimeout(Duration timeout) {
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
    public CodexBuilder turnWatchdog(Duration silence) {
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
    public CodexBuilder checkAuthentication(boolean check) {
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
    public CodexBuilder maxLineBytes(int bytes) {
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
    public CodexBuilder maxUnconsumedBytes(long bytes) {
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
    public CodexBuilder coalesceWindow(Duration window) {
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
    public CodexBuilder supervise(Supervision supervision) {
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
    public CodexBuilder maxConcurrentTurns(int turns, Duration wait) {
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
    CodexBuilder transport(Transports.Factory factory) {
        this.transport = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /** Connection tuning all at once (internal: benchmarks and tests). */
    CodexBuilder connectionOptions(ConnectionOptions options) {
        this.connectionOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Talks to an app-server over these streams instead of starting a child process (for
     * example testkit's in-process {@code FakeAppServer}).
     *
     * @return this
     */
    public CodexBuilder streams(InputStream fromServer, OutputStream toServer) {
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
    public CodexBuilder listen(ListenAddress address) {
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
    public CodexBuilder connect(URI endpoint) {
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
    public CodexBuilder connect(URI endpoint, ServerAuth auth) {
        this.transport = Transports.remote(endpoint, auth);
        return this;
    }

    /**
     * The TLS settings for {@code wss://} endpoints (trusted certificates, client certificate);
     * the JDK's default otherwise.
     *
     * @return this
     */
    public CodexBuilder sslContext(SSLContext context) {
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
    public CodexBuilder keepAlive(Duration interval, Duration timeout) {
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

    /**
     * Opt-in: before a turn is started, when the account's usage limit is known to be used up (an
     * {@code account/rateLimits/updated} with a window at 100%, as the server sends before a turn
     * fails with {@link dev.codex4j.errors.UsageLimitException}), wait for the window's reset if it
     * is at most {@code maxWait} away, instead of starting a turn that can only fail; a reset
     * further away refuses the turn at once with {@link dev.codex4j.errors.RateLimitedException},
     * before anything is sent. Off by default (zero): turns are started whatever the limits say.
     * The wait is interruptible; a limit whose reset time nobody reported is not waited for.
     *
     * <pre>{@code
     * Codex codex = Codex.builder().waitForRateLimitReset(Duration.ofMinutes(15)).build();
     * }</pre>
     *
     * @param maxWait the longest wait for a reset (zero: off)
     * @return this builder
     * @throws IllegalArgumentException when {@code maxWait} is negative
     */
    public CodexBuilder waitForRateLimitReset(Duration maxWait) {
        this.usage = usage.withRateLimitWait(Objects.requireNonNull(maxWait, "maxWait"));
        return this;
    }

    /**
     * The prices of the models, per million tokens, that {@link RunResult#cost()}, the thread's and
     * the client's {@link Spend} use. None by default: codex4j has no prices built in (they go
     * stale), and a model without a price has an unknown cost, never zero.
     *
     * @param prices the price table
     * @return this builder
     */
    public CodexBuilder prices(PriceTable prices) {
        this.usage = usage.withPrices(Objects.requireNonNull(prices, "prices"));
        return this;
    }

    /**
     * A budget for all the client's turns, in tokens or money (see {@link Budget} for how it holds
     * and how far concurrent turns can overshoot it). A money budget needs {@link #prices}.
     *
     * @param budget the budget
     * @return this builder
     */
    public CodexBuilder budget(Budget budget) {
        this.usage = usage.withBudget(Objects.requireNonNull(budget, "budget"));
        return this;
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
                handshakeTimeout, turnWatchdog, checkAuthentication, approvalHandler, inbox,
                eventListeners.isEmpty() ? null
                        : eventListeners.size() == 1 ? eventListeners.get(0) : new ListenerFanOut(eventListeners),
                subscriptionBuffer, maxDelay, reconnectTimeout, supervision, maxConcurrentTurns, admissionWait, usage);
    }

    /** @return the SDK's version, sent as the default client version */
    public static String sdkVersion() {
        return Codex.sdkVersionOf();
    }

}
