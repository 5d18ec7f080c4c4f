package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.ApprovalHandler;
import dev.codex4j.Codex;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.runtime.ServerRequestHandler;
import dev.codex4j.errors.AuthenticationRequiredException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.McpServerStartupException;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.errors.ThreadReleasedException;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.GetAccountParams;
import dev.codex4j.protocol.types.GetAccountResponse;
import dev.codex4j.protocol.types.ThreadResumeParams;
import dev.codex4j.protocol.types.TurnInterruptParams;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One client's session with its app-server: what {@code Codex} is a facade over, and what its
 * collaborators ({@code CodexThread}, {@code TurnHandle}, {@code Login}, {@code CodexFleet}, the
 * inbox wait, the watchdog) hold. It owns the options, the {@link Observer}, the turn
 * {@link Admission}, and through its {@link Supervisor} the current {@link Link}; it offers the link
 * (waiting, bounded, for a restart in progress), the resume of a thread after a restart (with the
 * thread's latest accepted settings, {@link AcceptedSettings}), and one typed and one raw call with
 * a deadline.
 *
 * <p>Thread-safe; it has no lock of its own ({@code authenticationMissing} is volatile,
 * {@code released} a concurrent map written by the fleet's release, the rest is the supervisor's or
 * final).
 */
public final class Session implements AutoCloseable {
    /**
     * The latency budget of the SDK's own subscriptions (the account watch, a login's completion, an
     * approval's {@code serverRequest/resolved}): events a person waits for, so that they never keep
     * the dispatcher at its base window (see {@code ConnectionOptions.relaxedWindow}).
     */
    public static final java.time.Duration INTERNAL_MAX_DELAY = java.time.Duration.ofMillis(100);

    private static final System.Logger LOG = System.getLogger(Codex.class.getName());

    private final CodexOptions options;
    private final Observer observer;
    private final Admission admission;
    private final Supervisor supervisor;
    private final RateLimitTracker rateLimits = new RateLimitTracker();
    private final Spending spending;
    /** Per thread, the settings its server accepted: re-sent after a restart's resume. */
    private final AcceptedSettings acceptedSettings = new AcceptedSettings();
    /**
     * Threads a fleet released on this server (to resume them on another endpoint), and why: their
     * {@code CodexThread} objects of this client fail with {@link ThreadReleasedException}.
     */
    private final ConcurrentHashMap<String, String> released = new ConcurrentHashMap<>();
    /**
     * Per thread resumed after a restart by a client without the experimental API: the settings its
     * next {@code turn/start} carries (under the turn's own), as {@code thread/settings/update}
     * cannot. Taken by that turn; put back when its start fails.
     */
    private final ConcurrentHashMap<String, ObjectNode> owedToNextTurn = new ConcurrentHashMap<>();
    /** From account/read: true when the server needs an OpenAI account and has none. */
    private volatile boolean authenticationMissing;

    /**
     * Opens the first link (the child, the handshake).
     *
     * @param options the client's configuration
     */
    public Session(CodexOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.observer = Observer.of(options.eventListener());
        this.spending = new Spending(options.usage().prices(), options.usage().budget());
        this.admission = new Admission(options.maxConcurrentTurns(), options.admissionWait());
        this.supervisor = new Supervisor(new LinkOpener(this), options);
    }

    /** @return the configuration */
    public CodexOptions options() {
        return options;
    }

    /** @return where the SDK reports what it does */
    public Observer observer() {
        return observer;
    }

    /** @return the account's rate limits as this client heard of them */
    public RateLimitTracker rateLimits() {
        return rateLimits;
    }

    /** @return what the client's turns spent */
    public Spending spending() {
        return spending;
    }

    /** @return turn admission */
    public Admission admission() {
        return admission;
    }

    /** @return the current link (its connection may be a lost one, until the supervisor replaces it) */
    public Link link() {
        return supervisor.current();
    }

    /** @return the current connection */
    public Connection connection() {
        return supervisor.current().connection;
    }

    /** @return where the client stands */
    public Codex.State state() {
        return supervisor.state();
    }

    /** @return how many times the server was restarted */
    public int restarts() {
        return supervisor.restarts();
    }

    /** @return whether the server is restarted when lost */
    public boolean isSupervised() {
        return supervisor.isSupervised();
    }

    /** The fleet: runs {@code listener} (short, non-blocking) after each change of {@link #state()}. */
    public void onStateChange(Runnable listener) {
        supervisor.onStateChange(listener);
    }

    /**
     * @param deadline until when to wait for a restart in progress
     * @return the link to send on
     * @see Supervisor#awaitLink
     */
    public Link awaitLink(Deadline deadline) {
        return supervisor.awaitLink(deadline);
    }

    /**
     * Sends a request that changes settings the server keeps for the thread's later turns
     * ({@code thread/settings/update}, or {@code turn/start} with its per-turn settings), recording
     * them for a supervised client, which sends them again after a restart's resume. They are
     * recorded before the request is sent, as in flight (a resume on a new link meanwhile sends
     * them too), then kept when the reply comes or none can come (the request was written and its
     * link lost, or it timed out: the server may have applied them), and dropped when the server
     * refuses them or never got them. No lock, and nothing at all for an unsupervised client or a
     * turn that changes no setting.
     *
     * @param threadId the thread
     * @param params the request's params as they are sent
     * @param turnStart whether the request is {@code turn/start} (only the members the server keeps count)
     * @param send sends the request and answers its reply
     * @return what {@code send} answered
     * @see AcceptedSettings
     */
    public <T> T sendingSettings(String threadId, JsonNode params, boolean turnStart, Supplier<T> send) {
        Object token = isSupervised() ? acceptedSettings.sending(threadId, params, turnStart) : null;
        if (token == null) {
            return send.get();
        }
        T reply;
        try {
            reply = send.get();
        } catch (RuntimeException | Error e) {
            if (mayHaveActed(e)) {
                acceptedSettings.accepted(threadId, token); // no reply: the lost server may have applied them
            } else {
                acceptedSettings.failed(threadId, token);
            }
            throw e;
        }
        acceptedSettings.accepted(threadId, token);
        return reply;
    }

    /**
     * {@code turn/start}'s params with the settings owed to the thread's first turn after a restart
     * (a client without the experimental API, see {@link #restoreSettings}) under the turn's own;
     * sends them with {@code send}, and owes them again when the start fails.
     *
     * @param threadId the thread
     * @param params the turn's own params
     * @param send sends the params given
     * @return what {@code send} answered
     */
    public <T> T withOwedSettings(String threadId, JsonNode params, java.util.function.Function<JsonNode, T> send) {
        ObjectNode owed = owedToNextTurn.isEmpty() ? null : owedToNextTurn.remove(threadId);
        if (owed == null || !(params instanceof ObjectNode own)) {
            return send.apply(params);
        }
        ObjectNode merged = owed.deepCopy();
        if (own.has("sandboxPolicy")) {
            merged.remove("permissions");
        }
        if (own.has("permissions")) {
            merged.remove("sandboxPolicy");
        }
        merged.setAll(own);
        try {
            return send.apply(merged);
        } catch (RuntimeException | Error e) {
            owedToNextTurn.putIfAbsent(threadId, owed);
            throw e;
        }
    }

    /**
     * @return whether the server may have acted on a request that failed so: it was written and no
     *     reply came (its link lost, or the request timed out); not when the server refused it or
     *     never got it
     */
    private static boolean mayHaveActed(Throwable e) {
        return e instanceof ServerLostException lost ? !lost.retrySafe() : e instanceof RequestTimeoutException;
    }

    /**
     * The fleet is about to release a thread on this server: from now on this client's
     * {@code CodexThread} objects of it fail with {@link ThreadReleasedException} carrying {@code why}.
     *
     * @return false when it was released already
     */
    public boolean markReleased(String threadId, String why) {
        return released.putIfAbsent(threadId, why) == null;
    }

    /** The fleet's release failed before the server let the thread go: it is this client's again. */
    public void unmarkReleased(String threadId) {
        released.remove(threadId);
    }

    /** @return whether a fleet released the thread on this server */
    public boolean isReleased(String threadId) {
        return released.containsKey(threadId);
    }

    /** Throws {@link ThreadReleasedException} when a fleet released the thread on this server. */
    public void checkNotReleased(String threadId) {
        String why = released.get(threadId);
        if (why != null) {
            throw new ThreadReleasedException(threadId, why);
        }
    }

    /**
     * The link on which a thread may be used: after a restart, the thread is resumed there first
     * ({@code thread/resume}, once per thread id per link, however many callers), then given its
     * latest settings again ({@code thread/settings/update}: the accepted ones and those in flight),
     * if it had any.
     *
     * @param threadId the thread
     * @param generation the generation of the link the thread is known to be loaded on
     * @param ephemeral whether the thread was started ephemeral (it cannot be resumed)
     * @param resumeParams what to resume it with
     * @return the link (its generation is the thread's from now on)
     * @throws ThreadReleasedException when a fleet released the thread on this server
     */
    public Link linkFor(String threadId, long generation, boolean ephemeral, Supplier<ThreadResumeParams> resumeParams) {
        checkNotReleased(threadId);
        Deadline deadline = Deadline.after(options.requestTimeout());
        Link l = awaitLink(deadline);
        if (!isSupervised() || generation == l.generation) {
            return l;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> resuming = l.resumed.putIfAbsent(threadId, mine);
        if (resuming == null) {
            try {
                if (ephemeral) {
                    throw new ServerLostException("Thread " + threadId + " is ephemeral: it lived only in the lost"
                            + " app-server and cannot be resumed", null, "", false, supervisor.lastLoss());
                }
                try {
                    callOn(l.connection, ClientMethods.THREAD_RESUME.name(), TypedCodec.params(resumeParams.get()),
                            deadline);
                } catch (McpServerStartupException e) {
                    throw e; // the thread is there, a required MCP server is not: say so, not "lost"
                } catch (CodexRpcException e) {
                    // The server refuses it (0.169.0: "no rollout found for thread id"): the thread was not
                    // saved before the server was lost (a thread is written once its first turn has run
                    // far enough), so it died with that server. Not retry-safe on this thread: start another.
                    throw new ServerLostException("Thread " + threadId + " was lost with the app-server: the"
                            + " restarted server cannot resume it (" + e.getMessage() + "); start a new thread",
                            null, "", false, e);
                }
                restoreSettings(threadId, l, deadline);
                mine.complete(null);
            } catch (RuntimeException e) {
                l.resumed.remove(threadId, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        } else {
            try {
                resuming.get(Math.max(1, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new CodexException(String.valueOf(e.getCause()), e);
            } catch (TimeoutException e) {
                throw new RequestTimeoutException(ClientMethods.THREAD_RESUME.name(), options.requestTimeout());
            } catch (InterruptedException e) {
                throw Waits.interrupted("thread " + threadId + " to be resumed", e);
            }
        }
        return l;
    }

    /**
     * Sends the thread's latest accepted settings on the link it was just resumed on (before any
     * caller may use it there); without the experimental API, owes them to its next
     * {@code turn/start} instead ({@link #withOwedSettings}). A server that refuses them leaves the thread with the settings it
     * was resumed with: logged at WARNING, the thread stays usable. A lost link throws, and the
     * next link resumes the thread again.
     */
    private void restoreSettings(String threadId, Link l, Deadline deadline) {
        ObjectNode settings = acceptedSettings.paramsFor(threadId);
        if (settings == null) {
            owedToNextTurn.remove(threadId);
            return;
        }
        if (!options.experimentalApi()) {
            // thread/settings/update is experimental: the thread's next turn/start carries them (only
            // a turn gave them: updateSettings needs the experimental API)
            settings.remove("threadId");
            owedToNextTurn.put(threadId, settings);
            return;
        }
        try {
            callOn(l.connection, ClientMethods.THREAD_SETTINGS_UPDATE.name(), settings, deadline);
        } catch (CodexRpcException e) {
            LOG.log(Level.WARNING, "Thread " + threadId + " was resumed on the restarted app-server, which refused"
                    + " its latest settings " + settings + " (" + e.getMessage() + "): its turns run with the"
                    + " options it was resumed with");
        }
    }

    /**
     * The typed call: sends on the current link (waiting, within the request timeout, for a restart
     * in progress) and binds the result strictly (a result that does not bind is a DecodeException).
     */
    public <P, R> R call(ClientMethod<P, R> method, @Nullable P params) {
        Deadline deadline = Deadline.after(options.requestTimeout());
        return callOn(awaitLink(deadline).connection, method, TypedCodec.params(params), deadline);
    }

    /** The typed call on one connection only (a turn's, a thread's link), with the request timeout. */
    public <P, R> R callOn(Connection connection, ClientMethod<P, R> method, @Nullable P params) {
        return callOn(connection, method, TypedCodec.params(params), Deadline.after(options.requestTimeout()));
    }

    /** The raw call: sends on the current link, waiting (until {@code deadline}) for a restart in progress. */
    public JsonNode call(String method, JsonNode params, Deadline deadline) {
        return callOn(awaitLink(deadline).connection, method, params, deadline);
    }

    /**
     * The typed call on this connection only, waiting until {@code deadline}: the result is bound
     * from the reply's bytes on this thread (the dispatcher builds no tree).
     */
    public static <R> R callOn(Connection connection, ClientMethod<?, R> method, JsonNode params, Deadline deadline) {
        try {
            return connection.call(method, params, deadline.remaining());
        } catch (InterruptedException e) {
            throw Waits.interrupted("the reply to " + method.name(), e);
        }
    }

    /** Sends on this connection only (a turn's, the watchdog's, the handshake's), waiting until {@code deadline}. */
    public static JsonNode callOn(Connection connection, String method, JsonNode params, Deadline deadline) {
        try {
            return connection.call(method, params, deadline.remaining());
        } catch (InterruptedException e) {
            throw Waits.interrupted("the reply to " + method, e);
        }
    }

    /**
     * @param turnHandler the turn's own handler, or null for the client's chain
     * @param tools the thread's tools
     * @param reservation the reservation of the turn whose chain it is
     * @return the runtime's handler of server requests for one turn (or the client)
     * @see ServerRequestChain
     */
    public ServerRequestHandler serverRequests(@Nullable ApprovalHandler turnHandler, ThreadTools tools,
            Supplier<@Nullable Reservation> reservation) {
        return ServerRequestChain.of(this, turnHandler, tools, reservation);
    }

    /** Per thread id: the registration of the thread's own server-request chain on the current connection. */
    private final Map<String, dev.codex4j.internal.runtime.Subscription> threadChains = new ConcurrentHashMap<>();
    /** The ids of the latest turns this client started itself (so that a follower of server-started turns leaves them be). */
    private final Set<String> clientTurns = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<String, Boolean>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 4096;
                }
            }));

    /**
     * Answers the server requests of a thread's turns that no reservation of this client holds
     * (turns the server starts by itself) with this chain, on this connection; replaces the
     * thread's previous one.
     *
     * @param connection the connection
     * @param threadId the thread
     * @param chain its chain (the thread's tools, interceptors, approval mode; the client's inbox and handler)
     */
    public void threadChain(Connection connection, String threadId, ServerRequestHandler chain) {
        dev.codex4j.internal.runtime.Subscription previous = threadChains.put(threadId,
                connection.threadServerRequestHandler(threadId, chain));
        if (previous != null) {
            previous.close(); // removes only its own handler (a replaced one stays)
        }
    }

    /** @return how many threads have a chain of their own registered */
    public int threadChains() {
        return threadChains.size();
    }

    /**
     * Forgets a thread archived or unsubscribed through this client: its chain, spend, budget and
     * accepted settings (a restart no longer restores them).
     *
     * @param threadId the thread
     */
    public void forgetThread(String threadId) {
        dev.codex4j.internal.runtime.Subscription chain = threadChains.remove(threadId);
        if (chain != null) {
            chain.close();
        }
        spending.forget(threadId);
        acceptedSettings.forget(threadId);
        owedToNextTurn.remove(threadId);
    }

    /** @param turnId a turn this client is starting itself (noted before it is claimed) */
    public void clientTurn(String turnId) {
        clientTurns.add(turnId);
    }

    /** @return whether this client started that turn itself (one of its latest 4,096) */
    public boolean isClientTurn(String turnId) {
        return clientTurns.contains(turnId);
    }

    /** Reads whether the server has the account it needs; a server without the method needs none. */
    void readAccount(Connection connection) {
        try {
            GetAccountResponse r = callOn(connection, ClientMethods.ACCOUNT_READ,
                    TypedCodec.params(GetAccountParams.builder().build()), Deadline.after(options.requestTimeout()));
            authenticationMissing = r.requiresOpenaiAuth() && r.account() == null;
        } catch (CodexRpcException e) {
            authenticationMissing = false;
        } catch (RuntimeException e) {
            // including a reply that does not bind (a newer server): no claim about credentials
            LOG.log(Level.DEBUG, () -> "account/read failed: " + e);
        }
    }

    /** Reads the account again (after a login or logout), if the client checks credentials at all. */
    public void refreshAccount() {
        if (options.checkAuthentication()) {
            readAccount(connection());
        }
    }

    /** Throws when a turn could only wait for credentials the server does not have. */
    public void checkCanRunTurns() {
        if (authenticationMissing) {
            throw new AuthenticationRequiredException("The app-server needs an OpenAI account"
                    + " (account/read says requiresOpenaiAuth and there is no account), so this turn would only"
                    + " reconnect and wait for the network. Sign in (codex login, or OPENAI_API_KEY in the"
                    + " app-server's environment), or configure a model provider that needs none.");
        }
    }

    /** For a local app-server: a working directory that does not exist is an error before anything is sent. */
    public void checkDirectory(@Nullable Path dir, String what) {
        if (dir != null && connection().isLocal() && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
    }

    /** A cancelled permissions request: the reply cannot cancel, so the turn is interrupted before it is sent. */
    void interruptForApproval(String threadId, String turnId) {
        try {
            call(ClientMethods.TURN_INTERRUPT, TurnInterruptParams.builder().threadId(threadId).turnId(turnId).build());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "Could not interrupt turn " + turnId + " after cancelling its"
                    + " permissions request: " + e);
        }
    }

    /**
     * @param in a routed notification
     * @return it typed; one that does not decode is an Unknown that says why
     */
    public static ServerNotification typed(Inbound in) {
        String method = Objects.requireNonNullElse(in.method(), "");
        try {
            byte[] bytes = in.bytes();
            return TypedCodec.notification(method, bytes, 0, bytes.length);
        } catch (ProtocolException e) {
            return new ServerNotification.Unknown(method, NullNode.getInstance(), "does not decode: " + e.getMessage());
        }
    }

    /** @return the request timeout */
    public Duration requestTimeout() {
        return options.requestTimeout();
    }

    /** Closes the link, stops supervising, wakes admission waiters, then tells the state listeners. Idempotent. */
    @Override
    public void close() {
        supervisor.close();
        admission.close();
        supervisor.fireStateChange();
    }
}
