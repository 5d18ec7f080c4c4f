package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.ExperimentalApiRequiredException;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.sdk.Admission;
import dev.codex4j.internal.sdk.BudgetWatch;
import dev.codex4j.internal.sdk.SubAgentWatch;
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
import dev.codex4j.protocol.types.QueuedSubmission;
import dev.codex4j.protocol.types.ReviewStartParams;
import dev.codex4j.protocol.types.ReviewTarget;
import dev.codex4j.protocol.types.ThreadCompactStartParams;
import dev.codex4j.protocol.types.ThreadQueueAddParams;
import dev.codex4j.protocol.types.ThreadQueueDeleteParams;
import dev.codex4j.protocol.types.ThreadQueueListParams;
import dev.codex4j.protocol.types.ThreadQueueListResponse;
import dev.codex4j.protocol.types.ThreadQueueReorderParams;
import dev.codex4j.protocol.types.ThreadQueueStartParams;
import dev.codex4j.protocol.types.ThreadForkParams;
import dev.codex4j.protocol.types.ThreadRevertParams;
import dev.codex4j.protocol.types.ThreadRevertResponse;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.ThreadGoalClearParams;
import dev.codex4j.protocol.types.ThreadGoalSetParams;
import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.protocol.types.ThreadSetNameParams;
import dev.codex4j.protocol.types.ThreadSettingsUpdateParams;
import dev.codex4j.protocol.types.TurnStartParams;
import dev.codex4j.protocol.types.UserInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
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
    /** Whether this object's turns answer with anything but the client's chain (tools, interceptors, accept-all). */
    private final boolean answersItsOwn;
    /** The model the thread's turns run on, as far as this object knows: the thread's, then the last turn override. */
    private volatile @Nullable String model;

    CodexThread(Session session, dev.codex4j.protocol.types.Thread info, ThreadOptions options, long generation) {
        this.session = session;
        this.id = info.id();
        this.info = info;
        this.options = options;
        this.tools = ThreadTools.of(options.tools(), options.interceptors());
        this.generation = generation;
        this.answersItsOwn = !tools.isEmpty() || options.approvalMode() == ApprovalMode.ACCEPT_ALL;
        String m = null;
        try {
            m = info.model();
        } catch (RuntimeException e) {
            // a newer server's thread whose model does not bind: not known
        }
        this.model = m;
        if (answersItsOwn) {
            try {
                registerChain(session.connection());
            } catch (CodexException e) {
                // the client is closing or restarting: link() registers it on the next connection
            }
        }
    }

    /**
     * Server requests of this thread's turns that no reservation holds (turns the server started by
     * itself: goal continuations, queued input) go to this thread's chain: its tools and
     * interceptors, its approval mode, then the client's inbox and handler.
     */
    private void registerChain(Connection connection) {
        AtomicReference<@Nullable Reservation> none = new AtomicReference<>();
        session.threadChain(connection, id, session.serverRequests(approvalHandler(TurnOptions.defaults()), tools,
                none::get));
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
     * @throws dev.codex4j.errors.BudgetExceededException when the client's or this thread's
     *     {@link Budget} is reached (nothing is sent)
     * @throws dev.codex4j.errors.RateLimitedException when the client waits for rate-limit resets
     *     ({@link CodexBuilder#waitForRateLimitReset}) and the account's limit resets later than it waits
     */
    public TurnHandle turn(List<? extends UserInput> input, TurnOptions options) {
        Objects.requireNonNull(options, "options");
        TurnStartParams params = options.startParams(id, Inputs.check(input));
        session.checkDirectory(options.cwd(), "the turn's cwd");
        JsonNode sent = TypedCodec.params(params);
        // the server keeps the turn's settings for the thread's later turns: a supervised client restores them too
        return begin(options, connection -> turnId(session.withOwedSettings(id, sent, p -> session.sendingSettings(id,
                p, true, () -> Session.callOn(connection, ClientMethods.TURN_START.name(), p,
                        Deadline.after(session.requestTimeout()))))));
    }

    /**
     * Starts a turn with {@code start} (a request that starts one and answers its id: turn/start,
     * review/start, thread/queue/start) under this thread's one-turn reservation, and claims it.
     */
    private TurnHandle begin(TurnOptions options, Function<Connection, String> start) {
        session.checkNotReleased(id); // before admission: a drained endpoint would refuse it less clearly
        session.checkCanRunTurns();
        session.rateLimits().beforeTurn(session.options().usage().rateLimitWait());
        session.spending().checkBefore(id);
        Admission.Permit permit = session.admission().acquire("the turn on thread " + id);
        boolean permitHandedOver = false;
        try {
            Connection connection = link().connection;
            Reservation reservation = reserve(connection, options);
            // the turn's end, a failed start, or a lost server; safe whenever the runtime runs it (idempotent, lock-free)
            reservation.whenReleased(permit::release);
            permitHandedOver = true;
            String turnModel = options.model() != null ? options.model() : model;
            BudgetWatch watch = session.spending().hasBudget(id)
                    ? new BudgetWatch(connection, id, session.spending(), turnModel, session.options().usage().prices())
                    : null;
            boolean watching = false;
            SubAgentWatch subAgents = options.subAgentUsage() == null ? null
                    : new SubAgentWatch(connection, id, session.options().usage().prices(), options.subAgentUsage(),
                            session.requestTimeout());
            boolean following = false;
            try {
                long start0 = System.nanoTime();
                Observer.TurnSpan span = session.observer().turnStarting(id, turnModel);
                String turnId;
                Observer.Scope inTurn = span.enter(); // the request that starts it is sent inside the turn's span (tracing)
                try {
                    turnId = start.apply(connection);
                } catch (RuntimeException | Error e) {
                    span.startFailed(id, e);
                    throw e;
                } finally {
                    inTurn.close();
                }
                session.clientTurn(turnId); // before the claim: a follower of server turns leaves it be
                if (options.model() != null) {
                    model = options.model(); // the server keeps a turn's model for the thread's later turns
                }
                TurnHandle handle = new TurnHandle(this, connection, turnId, reservation.claim(turnId), options, start0,
                        span, permit, model, watch);
                reservation.attach(handle);
                span.started(id, turnId, model);
                if (watch != null) {
                    watch.attach(turnId, handle::stopForBudget);
                    watching = true;
                }
                if (subAgents != null) {
                    handle.followSubAgents(subAgents);
                    following = true;
                }
                return handle;
            } catch (RuntimeException | Error e) {
                permit.settle(); // no handle: no consumer to wait for
                throw e;
            } finally {
                reservation.close(); // releases it only if it was never claimed (the start failed)
                if (watch != null && !watching) {
                    watch.close();
                }
                if (subAgents != null && !following) {
                    subAgents.close();
                }
            }
        } finally {
            if (!permitHandedOver) {
                permit.settle();
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

    /**
     * The turn's handler: its own, else {@link ApprovalHandler#acceptAll()} under
     * {@link ApprovalMode#ACCEPT_ALL} (the turn's mode, else the thread's when the turn sets none),
     * else null for the client's.
     */
    private @Nullable ApprovalHandler approvalHandler(TurnOptions turn) {
        if (turn.approvalHandler() != null) {
            return turn.approvalHandler();
        }
        ApprovalMode mode = turn.approvalMode() != null ? turn.approvalMode() : this.options.approvalMode();
        return mode == ApprovalMode.ACCEPT_ALL ? ApprovalHandler.acceptAll() : null;
    }

    /** Reserves the thread id for one turn, waiting (bounded) for a turn that is ending. */
    private Reservation reserve(Connection c, TurnOptions options) {
        Deadline deadline = Deadline.after(session.requestTimeout());
        // The handler learns its reservation: a parked approval ends with the turn (ApprovalInbox).
        AtomicReference<@Nullable Reservation> mine = new AtomicReference<>();
        while (true) {
            Reservation r = c.tryReserveTurn(id, session.serverRequests(approvalHandler(options), tools, mine::get));
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
     * Sets a goal on the thread ({@code thread/goal/set}, an experimental method: build the client
     * with {@code experimentalApi(true)}) and returns its run: the server then starts continuation
     * turns by itself until the goal is complete, paused, or over its token budget (which the
     * server enforces at turn boundaries, so it may overshoot by one turn). Do not start turns of
     * your own on the thread meanwhile: the server would take them as steering its running turn.
     * The client's and this thread's {@link Budget}s hold on the goal's turns as on the client's
     * own: a turn that starts over one, or crosses one in flight, is interrupted (its result says
     * so) and the goal paused ({@link GoalResult#budgetExceeded()}).
     *
     * <pre>{@code
     * try (GoalRun run = thread.startGoal("Make every test pass", 200_000L)) {
     *     GoalResult r = run.await(Duration.ofMinutes(30));
     * }
     * }</pre>
     *
     * @param objective the objective
     * @param tokenBudget the goal's token budget, passed to the server, or null for none
     * @return the run; close it when done
     * @throws dev.codex4j.errors.BudgetExceededException when the client's or this thread's
     *     {@link Budget} is already reached (nothing is sent)
     */
    public GoalRun startGoal(String objective, @Nullable Long tokenBudget) {
        Objects.requireNonNull(objective, "objective");
        return goal(ThreadGoalSetParams.builder().threadId(id).objective(objective).tokenBudget(tokenBudget).build());
    }

    /**
     * Resumes a paused goal ({@code thread/goal/set} with status {@code active}) as a new run.
     *
     * @return the run; close it when done
     * @throws dev.codex4j.errors.BudgetExceededException when the client's or this thread's
     *     {@link Budget} is already reached (nothing is sent)
     */
    public GoalRun resumeGoal() {
        return goal(ThreadGoalSetParams.builder().threadId(id).status(ThreadGoalStatus.ACTIVE).build());
    }

    /** Clears the thread's goal ({@code thread/goal/clear}). */
    public void clearGoal() {
        session.callOn(link().connection, ClientMethods.THREAD_GOAL_CLEAR, ThreadGoalClearParams.builder().threadId(id).build());
    }

    private GoalRun goal(ThreadGoalSetParams params) {
        session.spending().checkBefore(id); // the budgets hold on the goal's turns: none is set going over one
        Connection c = link().connection;
        GoalRun run = new GoalRun(this, c); // listening before the server starts the first turn
        try {
            run.started(session.callOn(c, ClientMethods.THREAD_GOAL_SET, params).goal());
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    /**
     * Sets this thread's budget on this client (whichever {@code CodexThread} object runs its
     * turns), in tokens or money, on top of the client's; see {@link Budget} for how it holds.
     * It counts from what the thread already spent on this client ({@link #spend()}).
     *
     * <pre>{@code
     * thread.budget(Budget.tokens(500_000));
     * }</pre>
     *
     * @param budget the budget, or null to remove it
     */
    public void budget(@Nullable Budget budget) {
        session.spending().threadBudget(id, budget);
    }

    /** @return this thread's budget on this client, if set */
    public Optional<Budget> budget() {
        return Optional.ofNullable(session.spending().threadBudget(id));
    }

    /**
     * @return what this thread's turns on this client spent so far (whichever {@code CodexThread}
     *     object started them): the turns folded to a result, their tokens and cost
     */
    public Spend spend() {
        return session.spending().thread(id);
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
     * Changes the settings of the thread's later turns ({@code thread/settings/update},
     * experimental): model, reasoning effort, approvals, sandbox. A running turn keeps its own
     * (see {@link TurnHandle#updateSettings(TurnSettings)}); the server confirms with
     * {@code thread/settings/updated}. A supervised client keeps the settings the server accepted
     * (and those of the thread's turns' {@link TurnOptions}: the server keeps them too) and gives
     * them to the thread again when it resumes it after a restart.
     *
     * <pre>{@code
     * thread.updateSettings(ThreadSettings.builder().model("gpt-5.5").sandboxPreset(SandboxPreset.readOnly()).build());
     * }</pre>
     *
     * @param settings what to change
     * @throws ExperimentalApiRequiredException when the client was built without
     *     {@code experimentalApi(true)} (nothing is sent)
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses the settings
     */
    public void updateSettings(ThreadSettings settings) {
        Objects.requireNonNull(settings, "settings");
        requireExperimental(ClientMethods.THREAD_SETTINGS_UPDATE.name());
        ThreadSettingsUpdateParams params = settings.params(id);
        Connection connection = link().connection;
        // a supervised client restores them after a restart (recorded before they are sent: a resume meanwhile has them)
        session.sendingSettings(id, TypedCodec.params(params), false,
                () -> session.callOn(connection, ClientMethods.THREAD_SETTINGS_UPDATE, params));
    }

    /**
     * Undoes the last {@code turns} turns of the thread's history ({@code thread/revert} before
     * the oldest of them): the model no longer sees them, and {@link #read(boolean)} no longer
     * lists them. Only the conversation is rolled back, not the files the turns changed.
     *
     * <pre>{@code
     * thread.run("Rename the module");
     * thread.rollback(1);                         // as if that turn had never been asked
     * }</pre>
     *
     * @param turns how many of the latest turns to undo, at least 1
     * @return the server's reply: the thread, and cursors to read the history that remains
     * @throws IllegalArgumentException when {@code turns} is below 1 or more than the thread has
     * @throws IllegalStateException when a turn is running on this thread through this client
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses it
     */
    public ThreadRevertResponse rollback(int turns) {
        if (turns < 1) {
            throw new IllegalArgumentException("turns must be at least 1: " + turns);
        }
        List<Turn> all = turnsForRollback();
        if (turns > all.size()) {
            throw new IllegalArgumentException("Thread " + id + " has " + all.size() + " turn(s); cannot roll back " + turns);
        }
        return rollbackTo(all.get(all.size() - turns).id());
    }

    /**
     * Removes this turn and every later one from the thread's history ({@code thread/revert}).
     *
     * @param turnId the first turn to remove
     * @return the server's reply
     * @throws IllegalStateException when a turn is running on this thread through this client
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses it (an unknown turn id)
     */
    public ThreadRevertResponse rollbackTo(String turnId) {
        Objects.requireNonNull(turnId, "turnId");
        activeTurn().ifPresent(t -> {
            throw new IllegalStateException("Thread " + id + " is running turn " + t.id()
                    + ": interrupt it or wait for it before rolling back");
        });
        return session.callOn(link().connection, ClientMethods.THREAD_REVERT,
                ThreadRevertParams.builder().threadId(id).beforeTurnId(turnId).build());
    }

    /**
     * A new thread holding this one's history up to, but not including, a turn
     * ({@code thread/fork} through the turn before it); this thread is unchanged. Forking before
     * the first turn gives an empty history and needs the experimental {@code beforeTurnId}.
     *
     * <pre>{@code
     * RunResult bad = thread.run("Try approach A");
     * CodexThread retry = thread.forkBefore(bad.turnId(), ThreadOptions.defaults());
     * retry.run("Try approach B");
     * }</pre>
     *
     * @param turnId the first turn the fork leaves out
     * @param options the fork's options, as for {@link Codex#forkThread(String, ThreadOptions)}
     * @return the fork
     * @throws IllegalArgumentException when the thread has no such turn
     * @throws ExperimentalApiRequiredException when {@code turnId} is the first turn and the client
     *     was built without {@code experimentalApi(true)}
     */
    public CodexThread forkBefore(String turnId, ThreadOptions options) {
        Objects.requireNonNull(turnId, "turnId");
        Objects.requireNonNull(options, "options");
        session.checkDirectory(options.cwd(), "the thread's cwd");
        List<Turn> all = turnsForRollback();
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id().equals(turnId)) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("Thread " + id + " has no turn " + turnId);
        }
        ThreadForkParams.Builder p = options.forkParams(id).toBuilder();
        if (at == 0) {
            requireExperimental("thread/fork.beforeTurnId (forking before the first turn)");
            p.beforeTurnId(turnId);
        } else {
            p.lastTurnId(all.get(at - 1).id());
        }
        Link l = link();
        return new CodexThread(session, session.callOn(l.connection, ClientMethods.THREAD_FORK, p.build()).thread(),
                options, l.generation);
    }

    /** @return {@link #forkBefore(String, ThreadOptions)} with default options */
    public CodexThread forkBefore(String turnId) {
        return forkBefore(turnId, ThreadOptions.defaults());
    }

    /** The thread's turns, oldest first ({@code thread/read} with turns). */
    private List<Turn> turnsForRollback() {
        List<Turn> turns = read(true).thread().turns();
        return turns == null ? List.of() : turns;
    }

    /**
     * Reviews code on this thread and waits for the review ({@code review/start}, delivered
     * inline: the review turn and its items join this thread's history). Codex reads the changes
     * from the thread's working directory, a git repository.
     *
     * <pre>{@code
     * ReviewResult r = thread.review(ReviewTarget.UncommittedChanges.builder().build());
     * r.review().ifPresent(System.out::println);
     * }</pre>
     *
     * @param target what to review: {@code ReviewTarget.UncommittedChanges} (staged, unstaged and
     *     untracked files), {@code BaseBranch} (the changes since a branch), {@code Commit} (one
     *     commit by sha) or {@code Custom} (free instructions)
     * @return the review
     * @throws IllegalStateException when a turn is already running on this thread
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses the review
     */
    public ReviewResult review(ReviewTarget target) {
        return new ReviewResult(id, reviewTurn(target, TurnOptions.defaults()).run());
    }

    /**
     * Starts a review on this thread ({@code review/start}) and returns its turn without waiting:
     * stream its events, interrupt it, or wait with {@link TurnHandle#run()} (its
     * {@code ExitedReviewMode} item holds the review).
     *
     * @param target what to review
     * @param options only the SDK's part applies: the turn's {@code approvalHandler} and
     *     {@code timeout} ({@code review/start} takes no model or sandbox settings)
     * @return the review turn
     * @throws IllegalStateException when a turn is already running on this thread
     */
    public TurnHandle reviewTurn(ReviewTarget target, TurnOptions options) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        ReviewStartParams params = ReviewStartParams.builder().threadId(id).target(target).build();
        return begin(options, connection -> session.callOn(connection, ClientMethods.REVIEW_START, params).turn().id());
    }

    /**
     * Queues input for a later turn of this thread ({@code thread/queue/add}, experimental). Queue
     * while a turn runs when the input is a new request for after it; steer
     * ({@link TurnHandle#steer}) when it should change what the running turn does. The server keeps
     * the queue with the thread and sends {@code thread/queue/changed} when it changes;
     * {@link #startQueued()} runs the next one.
     *
     * <pre>{@code
     * TurnHandle running = thread.turn("Refactor the parser");
     * QueuedSubmission next = thread.queue(List.of(Inputs.text("Then update the docs")));
     * }</pre>
     *
     * @param input the input (see {@link Inputs})
     * @return the queued input, with the server's id (to cancel or reorder it)
     * @throws ExperimentalApiRequiredException when the client was built without
     *     {@code experimentalApi(true)} (nothing is sent)
     */
    public QueuedSubmission queue(List<? extends UserInput> input) {
        List<UserInput> checked = Inputs.check(input);
        requireExperimental(ClientMethods.THREAD_QUEUE_ADD.name());
        return session.callOn(link().connection, ClientMethods.THREAD_QUEUE_ADD, ThreadQueueAddParams.builder()
                .threadId(id).clientUserMessageId(UUID.randomUUID().toString()).input(checked).build()).queuedSubmission();
    }

    /** @return {@link #queue(List)} with one text input */
    public QueuedSubmission queue(String text) {
        return queue(List.of(Inputs.text(text)));
    }

    /**
     * @return the thread's queued input, next first ({@code thread/queue/list}, every page)
     * @throws ExperimentalApiRequiredException without {@code experimentalApi(true)}
     */
    public List<QueuedSubmission> queued() {
        requireExperimental(ClientMethods.THREAD_QUEUE_LIST.name());
        List<QueuedSubmission> all = new ArrayList<>();
        String cursor = null;
        do {
            ThreadQueueListResponse page = session.callOn(link().connection, ClientMethods.THREAD_QUEUE_LIST,
                    ThreadQueueListParams.builder().threadId(id).cursor(cursor).build());
            all.addAll(page.data());
            cursor = page.nextCursor();
        } while (cursor != null);
        return List.copyOf(all);
    }

    /**
     * Removes queued input before it runs ({@code thread/queue/delete}).
     *
     * @param queuedSubmissionId the id {@link #queue} returned
     * @return whether it was still queued
     * @throws ExperimentalApiRequiredException without {@code experimentalApi(true)}
     */
    public boolean cancelQueued(String queuedSubmissionId) {
        Objects.requireNonNull(queuedSubmissionId, "queuedSubmissionId");
        requireExperimental(ClientMethods.THREAD_QUEUE_DELETE.name());
        return session.callOn(link().connection, ClientMethods.THREAD_QUEUE_DELETE, ThreadQueueDeleteParams.builder()
                .threadId(id).queuedSubmissionId(queuedSubmissionId).build()).deleted();
    }

    /**
     * Puts the queue in a new order ({@code thread/queue/reorder}).
     *
     * @param queuedSubmissionIds every queued id, next first
     * @throws ExperimentalApiRequiredException without {@code experimentalApi(true)}
     * @throws dev.codex4j.errors.CodexRpcException when the ids are not the queue's
     */
    public void reorderQueue(List<String> queuedSubmissionIds) {
        List<String> ids = List.copyOf(queuedSubmissionIds);
        requireExperimental(ClientMethods.THREAD_QUEUE_REORDER.name());
        session.callOn(link().connection, ClientMethods.THREAD_QUEUE_REORDER, ThreadQueueReorderParams.builder()
                .threadId(id).queuedSubmissionIds(ids).build());
    }

    /**
     * Runs the next queued input as a turn now ({@code thread/queue/start}), for example after an
     * interrupted turn, which leaves the queue waiting.
     *
     * @return the turn
     * @throws ExperimentalApiRequiredException without {@code experimentalApi(true)}
     * @throws IllegalStateException when a turn is already running on this thread
     */
    public TurnHandle startQueued() {
        return startQueued(null);
    }

    /**
     * Runs one queued input as a turn now ({@code thread/queue/start}).
     *
     * @param queuedSubmissionId which one, or null for the next
     * @return the turn
     * @throws ExperimentalApiRequiredException without {@code experimentalApi(true)}
     * @throws IllegalStateException when a turn is already running on this thread
     */
    public TurnHandle startQueued(@Nullable String queuedSubmissionId) {
        requireExperimental(ClientMethods.THREAD_QUEUE_START.name());
        ThreadQueueStartParams params = ThreadQueueStartParams.builder().threadId(id).queuedSubmissionId(queuedSubmissionId)
                .build();
        return begin(TurnOptions.defaults(),
                connection -> session.callOn(connection, ClientMethods.THREAD_QUEUE_START, params).turn().id());
    }

    /** @throws ExperimentalApiRequiredException unless the client opted in to the experimental API */
    void requireExperimental(String feature) {
        if (!session.options().experimentalApi()) {
            throw new ExperimentalApiRequiredException(feature);
        }
    }

    /** @return the model this thread's turns run on as far as this client knows, or null */
    @Nullable String modelOrNull() {
        return model;
    }

    /**
     * Follows the turns the server starts on this thread by itself, from now on: a queued input it
     * starts when a turn ends ({@link #queue}), a goal's continuation turns ({@link #startGoal}).
     * Each such turn is adopted as soon as its {@code turn/started} arrives: it gets a
     * {@link TurnHandle} as if this client had started it (its events from its first one, kept in
     * its mailbox until read; {@code run()}, {@code events()}, {@code interrupt()}; its result
     * counted in {@link #spend()}), and while it runs the thread is reserved for it
     * ({@link #turn} throws, as for any running turn). The handle is given to {@code listener} on
     * a virtual thread of its own ({@code codex4j-server-turn-<turnId>}), which may consume it
     * there. Turns this client started itself are left be; so is a turn that starts while this
     * client is starting one of its own on the thread.
     *
     * <p>Whether or not they are followed, the server requests of such turns (approvals, calls of
     * this thread's {@link ThreadOptions#tools() tools}) are answered by this thread's chain: its
     * tools and interceptors, its {@link ThreadOptions#approvalMode() approval mode}, then the
     * client's inbox and handler.
     *
     * <pre>{@code
     * try (Subscription s = thread.followServerTurns(turn -> log(turn.id() + ": " + turn.run().finalResponse()))) {
     *     TurnHandle running = thread.turn("Refactor the parser");
     *     thread.queue("Then update the docs");   // the server starts it when the refactoring ends
     *     running.run();
     * }
     * }</pre>
     *
     * @param listener receives each adopted turn's handle
     * @return the subscription; close it to stop adopting turns (adopted ones run on)
     * @throws dev.codex4j.errors.TransportClosedException when the client is closed
     */
    public Subscription followServerTurns(Consumer<? super TurnHandle> listener) {
        Objects.requireNonNull(listener, "listener");
        Connection c = link().connection;
        return new Subscription(c.subscribeThread(id, in -> {
            if (ServerNotification.TurnStarted.METHOD.equals(in.method()) && in.turnId() != null) {
                TurnHandle h = adopt(c, in.turnId());
                if (h != null) {
                    c.startThread("codex4j-server-turn-" + h.id(), () -> {
                        try {
                            listener.accept(h);
                        } catch (RuntimeException e) {
                            System.getLogger(CodexThread.class.getName()).log(System.Logger.Level.WARNING,
                                    "The listener of server-started turn " + h.id() + " of thread " + id + " failed", e);
                        }
                    });
                }
            }
        }, Integer.MAX_VALUE, true));
    }

    /**
     * Adopts a turn the server started by itself: reserves the thread for it and claims its mailbox
     * (which holds its messages from the first); null when the turn is this client's own, or the
     * thread is reserved (this client is starting or running a turn on it).
     */
    private @Nullable TurnHandle adopt(Connection c, String turnId) {
        if (session.isClientTurn(turnId) || c.reservation(id) != null) {
            return null;
        }
        AtomicReference<@Nullable Reservation> mine = new AtomicReference<>();
        Reservation r = c.tryReserveTurn(id, session.serverRequests(approvalHandler(TurnOptions.defaults()), tools,
                mine::get));
        if (r == null) {
            return null;
        }
        mine.set(r);
        Admission.Permit permit = session.admission().adopt();
        r.whenReleased(permit::release);
        // the client's and the thread's budgets hold on it as on a turn of this client's: one that
        // starts over budget is stopped at once, one that crosses it in flight when it does
        String over = session.spending().overBefore(id);
        BudgetWatch watch = over == null && session.spending().hasBudget(id)
                ? new BudgetWatch(c, id, session.spending(), model, session.options().usage().prices())
                : null;
        boolean watching = false;
        try {
            Observer.TurnSpan span = session.observer().turnStarting(id, model);
            TurnHandle h = new TurnHandle(this, c, turnId, r.claim(turnId), TurnOptions.defaults(), System.nanoTime(),
                    span, permit, model, watch);
            r.attach(h);
            span.started(id, turnId, model);
            if (over != null) {
                h.stopForBudget("the turn started over budget: " + over);
            } else if (watch != null) {
                watch.attach(turnId, h::stopForBudget);
                watching = true;
            }
            return h;
        } catch (IllegalStateException e) {
            permit.settle();
            return null; // claimed meanwhile (this client's own)
        } finally {
            r.close(); // releases it only if the claim failed
            if (watch != null && !watching) {
                watch.close();
            }
        }
    }

    /**
     * Tells the server this client no longer follows the thread ({@code thread/unsubscribe}; the
     * server unloads a thread nobody follows) and forgets the thread on this client: its
     * {@link #spend()} and {@link #budget()} (the client's {@link Codex#spend()} keeps what its
     * turns spent) and the chain that answered its server-started turns. A thread used again
     * afterwards spends from zero on this client, without a budget of its own until one is set.
     * {@link Codex#archiveThread} forgets it the same way.
     *
     * @return the server's answer: {@code unsubscribed}, {@code notSubscribed} or {@code notLoaded}
     */
    public dev.codex4j.protocol.types.ThreadUnsubscribeStatus unsubscribe() {
        try {
            return session.callOn(link().connection, ClientMethods.THREAD_UNSUBSCRIBE,
                    dev.codex4j.protocol.types.ThreadUnsubscribeParams.builder().threadId(id).build()).status();
        } finally {
            session.forgetThread(id);
        }
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
        return subscribe(listener, session.options().maxDelay());
    }

    /**
     * {@link #subscribe(Consumer)} with a latency budget: a notification waits at most
     * {@code maxDelay} plus the dispatcher's coalescing window before the listener's thread is
     * woken for it, and that thread is woken at most once per {@code maxDelay} while notifications
     * keep coming (at once for {@code turn/completed}, {@code error}, or half the buffer). See
     * {@link CodexBuilder#maxDelay(Duration)}.
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
        return new Subscription(session.connection().subscribeThread(id, in -> listener.accept(Session.typed(in)),
                session.options().subscriptionBuffer(), true, maxDelay));
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
        return new NotificationPublisher("thread " + id, session.options().subscriptionBuffer(),
                session::connection, l -> subscribe(l, maxDelay));
    }

    /**
     * {@link #subscribe} as a stream to pull from.
     *
     * @return the thread's notifications from now on; close it to stop listening
     */
    public NotificationStream events() {
        return events(session.options().maxDelay());
    }

    /**
     * {@link #events()} with a latency budget (see {@link #subscribe(Consumer, Duration)}).
     *
     * @param maxDelay the longest a notification may wait beyond the window ({@link Duration#ZERO}: none)
     * @return the thread's notifications from now on; close it to stop listening
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     */
    public NotificationStream events(Duration maxDelay) {
        Waits.maxDelay(maxDelay);
        return new NotificationStream(session.options().subscriptionBuffer(),
                () -> session.state() != Codex.State.CLOSED, l -> subscribe(l, maxDelay));
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
        if (l.generation != generation && answersItsOwn) {
            registerChain(l.connection);
        }
        generation = l.generation;
        return l;
    }

    Session session() {
        return session;
    }
}
