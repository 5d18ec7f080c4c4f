package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.sdk.Admission;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.sdk.Link;
import dev.codex4j.internal.sdk.Observer;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.ThreadTools;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.ThreadCompactStartParams;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.protocol.types.ThreadSetNameParams;
import dev.codex4j.protocol.types.TurnStartParams;
import dev.codex4j.protocol.types.UserInput;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A conversation with the agent. Runs one turn at a time: starting a second turn while one runs
 * throws (steer the running one instead). Thread-safe; different threads run turns concurrently.
 *
 * <pre>{@code
 * CodexThread thread = codex.startThread();
 * RunResult first = thread.run("Read README.md");
 * RunResult second = thread.run("Now summarise it in one line");
 * }</pre>
 */
public final class CodexThread {
    private final Session session;
    private final String id;
    private final dev.codex4j.protocol.types.Thread info;
    /** What it was started, resumed or forked with: a supervised client resumes it with these after a restart. */
    private final ThreadOptions options;
    /** The thread's tools, from the options: this object answers their calls. */
    private final ThreadTools tools;
    /** The generation of the client's connection on which the thread is known to be loaded. */
    private volatile long generation;

    CodexThread(Session session, dev.codex4j.protocol.types.Thread info, ThreadOptions options, long generation) {
        this.session = session;
        this.id = info.id();
        this.info = info;
        this.options = options;
        this.tools = ThreadTools.of(options.tools());
        this.generation = generation;
    }

    /** @return the thread id */
    public String id() {
        return id;
    }

    /**
     * @return the names of the tools this object answers for (see {@link ThreadOptions#tools()}),
     *     sorted; a turn started through another {@code CodexThread} object of the same thread
     *     answers with that object's tools
     */
    public List<String> toolNames() {
        return tools.names();
    }

    /**
     * @return the thread as the server described it when it was started, resumed or forked (the
     *     generated {@code Thread}: {@code cwd}, {@code model}, {@code status}, {@code preview}, ...;
     *     {@link #read()} asks again)
     */
    public dev.codex4j.protocol.types.Thread info() {
        return info;
    }

    /** Runs a turn with one text input and waits for its result. */
    public RunResult run(String prompt) {
        return turn(List.of(Inputs.text(prompt)), TurnOptions.defaults()).run();
    }

    /** Runs a turn with these inputs (see {@link Inputs}) and waits for its result. */
    public RunResult run(List<? extends UserInput> input) {
        return turn(input, TurnOptions.defaults()).run();
    }

    /** Runs a turn with one text input and options, and waits for its result. */
    public RunResult run(String prompt, TurnOptions options) {
        return turn(List.of(Inputs.text(prompt)), options).run();
    }

    /** Runs a turn with these inputs and options, and waits for its result. */
    public RunResult run(List<? extends UserInput> input, TurnOptions options) {
        return turn(input, options).run();
    }

    /**
     * Structured output: sends the record's strict JSON Schema ({@link RecordSchema}) as the
     * turn's {@code outputSchema}, and binds the final answer strictly into the record.
     *
     * <pre>{@code
     * record Verdict(boolean ok, int score, @Nullable String reason) {}
     * Verdict v = thread.run("Is the build green?", Verdict.class);
     * }</pre>
     *
     * @param prompt the prompt
     * @param type a record type (components of strings, numbers, booleans, enums, lists, {@code Optional}s, nested records)
     * @param <T> the record type
     * @return the bound answer
     * @throws IllegalArgumentException when the type has no strict schema (before anything is sent)
     * @throws StructuredOutputException when there is no answer, or it does not match the record
     *     (a missing, unknown or mistyped member, a null for a non-nullable one); it carries the answer
     */
    public <T> T run(String prompt, Class<T> type) {
        return run(prompt, type, TurnOptions.defaults());
    }

    /**
     * Structured output with options; an {@code outputSchema} in the options is sent instead of
     * the derived one (the answer is still bound strictly into the record).
     *
     * @param prompt the prompt
     * @param type a record type
     * @param options the turn's options
     * @param <T> the record type
     * @return the bound answer
     * @throws StructuredOutputException when there is no answer, or it does not match the record
     */
    public <T> T run(String prompt, Class<T> type, TurnOptions options) {
        RecordSchema<T> schema = RecordSchema.of(type);
        TurnOptions withSchema = options.outputSchema() != null ? options
                : options.toBuilder().outputSchema(schema.schema()).build();
        RunResult result = run(prompt, withSchema);
        String answer = result.finalResponse().orElseThrow(() -> new StructuredOutputException(
                "Turn " + result.turnId() + " ended " + result.status() + " without an answer to bind as "
                        + type.getSimpleName(), null, null));
        return schema.bind(answer);
    }

    /**
     * Runs a turn on a virtual thread of its own. Cancelling the future interrupts the turn, even
     * when it comes before the server has said the turn's id (the interrupt is sent as soon as it
     * is known).
     *
     * @param input the input
     * @param options the options
     * @return the result to come; it fails as {@link #turn} and {@link TurnHandle#run()} throw
     */
    public CompletableFuture<RunResult> runAsync(List<? extends UserInput> input, TurnOptions options) {
        Objects.requireNonNull(options, "options");
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        AtomicReference<@Nullable TurnHandle> started = new AtomicReference<>();
        AtomicReference<@Nullable Thread> consuming = new AtomicReference<>();
        Thread.ofVirtual().name("codex4j-run-async-" + id).start(() -> {
            try {
                TurnHandle h = turn(input, options); // never interrupted: a half-sent turn/start must finish
                started.set(h);
                if (f.isDone()) {
                    h.interruptInBackground();
                    return;
                }
                consuming.set(Thread.currentThread());
                if (f.isDone()) {
                    return;
                }
                f.complete(h.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        f.whenComplete((r, e) -> {
            if (f.isCancelled()) {
                TurnHandle h = started.get();
                if (h != null) {
                    h.interruptInBackground();
                }
                Thread t = consuming.get();
                if (t != null) {
                    t.interrupt();
                }
            }
        });
        return f;
    }

    /** @return {@link #runAsync(List, TurnOptions)} with one text input and default options */
    public CompletableFuture<RunResult> runAsync(String prompt) {
        return runAsync(List.of(Inputs.text(prompt)), TurnOptions.defaults());
    }

    /** Starts a turn with one text input. */
    public TurnHandle turn(String prompt) {
        return turn(List.of(Inputs.text(prompt)), TurnOptions.defaults());
    }

    /** Starts a turn with one text input and options. */
    public TurnHandle turn(String prompt, TurnOptions options) {
        return turn(List.of(Inputs.text(prompt)), options);
    }

    /**
     * Starts a turn ({@code turn/start}) and returns its handle without waiting for it to end.
     *
     * <p>One turn runs per thread id on a client, however many {@code CodexThread} objects stand
     * for it (the server would take a second {@code turn/start} as a steer of the running turn):
     * when one is running, this throws and sends nothing. A turn that is ending (interrupted,
     * timed out, or its handle closed) is waited for, up to the request timeout. The turn's
     * approval handler is in place before {@code turn/start} is sent, so an approval that beats
     * the reply still reaches it.
     *
     * @param input the input (see {@link Inputs})
     * @param options the options
     * @return the running turn
     * @throws IllegalStateException when a turn is already running on this thread
     * @throws IllegalArgumentException when the input is empty or invalid, or the options' cwd does
     *     not exist on this machine (for a local app-server)
     * @throws dev.codex4j.errors.AuthenticationRequiredException when the server has no account
     *     for its model provider
     */
    public TurnHandle turn(List<? extends UserInput> input, TurnOptions options) {
        Objects.requireNonNull(options, "options");
        TurnStartParams params = options.startParams(id, Inputs.check(input));
        session.checkDirectory(options.cwd(), "the turn's cwd");
        session.checkCanRunTurns();
        Admission.Permit permit = session.admission().acquire("the turn on thread " + id);
        boolean permitHandedOver = false;
        try {
            Connection connection = link().connection;
            Reservation reservation = reserve(connection, options);
            // the turn's end, a failed start, or a lost server; safe whenever the runtime runs it (idempotent, lock-free)
            reservation.whenReleased(permit::release);
            permitHandedOver = true;
            try {
                long start = System.nanoTime();
                Observer.TurnSpan span = session.observer().turnStarting();
                String turnId = turnId(Session.callOn(connection, ClientMethods.TURN_START.name(), TypedCodec.params(params),
                        Deadline.after(session.requestTimeout())));
                TurnHandle handle = new TurnHandle(this, connection, turnId, reservation.claim(turnId), options, start,
                        span, permit);
                reservation.attach(handle);
                span.started(id, turnId);
                return handle;
            } finally {
                reservation.close(); // releases it only if it was never claimed (the start failed)
            }
        } finally {
            if (!permitHandedOver) {
                permit.release();
            }
        }
    }

    /**
     * The started turn's id. The reply binds to {@code TurnStartResponse}; one that does not (a newer
     * server) still names the turn, which must be claimed: it is running on the server, and an
     * exception here would leave it without a consumer and let the next {@code turn/start} steer it.
     */
    private String turnId(JsonNode reply) {
        try {
            return TypedCodec.result(ClientMethods.TURN_START, reply).turn().id();
        } catch (DecodeException e) {
            JsonNode id = reply.path("turn").path("id");
            if (!id.isString()) {
                throw e;
            }
            System.getLogger(CodexThread.class.getName()).log(System.Logger.Level.WARNING,
                    "The turn/start reply of thread " + this.id + " does not bind to this codex4j version's types"
                            + " (is the Codex CLI newer than the pinned one?); going on with its turn id: " + e.getMessage());
            return id.asString();
        }
    }

    /** Reserves the thread id for one turn, waiting (bounded) for a turn that is ending. */
    private Reservation reserve(Connection c, TurnOptions options) {
        Deadline deadline = Deadline.after(session.requestTimeout());
        // The handler learns its reservation: a parked approval ends with the turn (ApprovalInbox).
        AtomicReference<@Nullable Reservation> mine = new AtomicReference<>();
        while (true) {
            Reservation r = c.tryReserveTurn(id, session.serverRequests(options.approvalHandler(), tools, mine::get));
            if (r != null) {
                mine.set(r);
                return r;
            }
            Reservation running = c.reservation(id);
            if (running == null) {
                continue; // released meanwhile
            }
            Object attached = running.attachment();
            boolean ending = attached instanceof TurnHandle h && (h.isInterruptRequested() || h.isCompleted());
            if (!ending || deadline.isExpired()) {
                String which = running.turnId() != null ? "turn " + running.turnId() : "a turn being started";
                throw new IllegalStateException("Thread " + id + " already has a running turn (" + which
                        + "): steer it with TurnHandle.steer(...), interrupt it, or wait for it to complete");
            }
            try {
                running.awaitRelease(deadline.remaining());
            } catch (InterruptedException e) {
                throw Waits.interrupted("the ending turn of thread " + id, e);
            }
        }
    }

    /**
     * Reads the thread from the server ({@code thread/read}), with its turns when asked.
     *
     * <pre>{@code
     * for (Turn turn : thread.read(true).thread().turns()) System.out.println(turn.id() + " " + turn.status());
     * }</pre>
     *
     * @param includeTurns whether {@code thread().turns()} holds the turns, with their items
     * @return the reply
     */
    public ThreadReadResponse read(boolean includeTurns) {
        return session.callOn(link().connection, ClientMethods.THREAD_READ,
                ThreadReadParams.builder().threadId(id).includeTurns(includeTurns).build());
    }

    /** @return {@link #read(boolean)} without turns */
    public ThreadReadResponse read() {
        return read(false);
    }

    /** Names the thread ({@code thread/name/set}). */
    public void setName(String name) {
        session.callOn(link().connection, ClientMethods.THREAD_NAME_SET,
                ThreadSetNameParams.builder().threadId(id).name(Objects.requireNonNull(name, "name")).build());
    }

    /** Starts compaction of the thread's history ({@code thread/compact/start}). */
    public void compact() {
        session.callOn(link().connection, ClientMethods.THREAD_COMPACT_START,
                ThreadCompactStartParams.builder().threadId(id).build());
    }

    /**
     * @return the turn running on this thread through this client (whichever {@code CodexThread}
     *     object started it), if any
     */
    public Optional<TurnHandle> activeTurn() {
        Reservation r = session.connection().reservation(id);
        return r != null && r.attachment() instanceof TurnHandle h && !h.isCompleted() ? Optional.of(h) : Optional.empty();
    }

    /**
     * Listens to every notification that names this thread, typed as the generated
     * {@link ServerNotification}: the thread's own ({@code thread/status/changed},
     * {@code thread/name/updated}, {@code thread/tokenUsage/updated}, ...) and copies of its turns'
     * ({@code turn/started}, {@code item/completed}, deltas, {@code turn/completed}), whoever
     * started the turns. Consuming a turn ({@link TurnHandle#run()}) is unaffected. The listener
     * runs on a virtual thread of the subscription's own, in order; see {@link Subscription} for
     * its bound and what happens to a listener that falls behind.
     *
     * <pre>{@code
     * try (Subscription s = thread.subscribe(n -> {
     *     if (n instanceof ServerNotification.ThreadTokenUsageUpdated u) System.out.println(u.params().tokenUsage().total());
     * })) {
     *     thread.run("Refactor the parser");
     * }
     * }</pre>
     *
     * @param listener receives each notification
     * @return the subscription; close it to stop listening
     * @throws dev.codex4j.errors.TransportClosedException when the client is closed
     */
    public Subscription subscribe(Consumer<? super ServerNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        return new Subscription(session.connection().subscribeThread(id, in -> listener.accept(Session.typed(in)),
                session.options().subscriptionBuffer(), true));
    }

    /**
     * {@link #subscribe} as a {@link java.util.concurrent.Flow.Publisher}: this thread's
     * notifications (its turns' too), for Reactive Streams libraries. Each subscriber gets a
     * subscription of its own; backpressure is honoured with a bounded buffer whose overflow is a
     * typed error; cancelling unsubscribes; closing the client completes it. See
     * {@link NotificationPublisher}.
     *
     * @return a publisher; each {@code subscribe} listens from then on
     */
    public NotificationPublisher publisher() {
        return new NotificationPublisher("thread " + id, session.options().subscriptionBuffer(),
                session::connection, this::subscribe);
    }

    /**
     * {@link #subscribe} as a stream to pull from.
     *
     * @return the thread's notifications from now on; close it to stop listening
     */
    public NotificationStream events() {
        return new NotificationStream(session.options().subscriptionBuffer(),
                () -> session.state() != Codex.State.CLOSED, this::subscribe);
    }

    /**
     * The link on which this thread may be used: after a restart, the session resumes the thread
     * there first (once per link), and this object remembers the link's generation.
     */
    private Link link() {
        ThreadOptions o = options;
        Link l = session.linkFor(id, generation, Boolean.TRUE.equals(o.ephemeral()),
                // Started with ephemeral(false): thread/resume takes no ephemeral at all.
                () -> (o.ephemeral() == null ? o : o.toBuilder().ephemeral(null).build()).resumeParams(id));
        generation = l.generation;
        return l;
    }

    Session session() {
        return session;
    }
}
