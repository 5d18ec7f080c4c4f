package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.ExperimentalApiRequiredException;
import dev.codex4j.errors.InvalidRequestException;
import dev.codex4j.errors.ModelUnreachableException;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.errors.TurnTimeoutException;
import dev.codex4j.internal.runtime.Backoff;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.TurnMailbox;
import dev.codex4j.internal.sdk.Admission;
import dev.codex4j.internal.sdk.BudgetWatch;
import dev.codex4j.internal.sdk.Observer;
import dev.codex4j.internal.sdk.RateLimitTracker;
import dev.codex4j.internal.sdk.SubAgentWatch;
import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.errors.UsageLimitException;
import dev.codex4j.protocol.types.RateLimitSnapshot;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.TurnError;
import dev.codex4j.protocol.types.TurnInterruptParams;
import dev.codex4j.protocol.types.TurnSettingsUpdateStatus;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.protocol.types.TurnSteerParams;
import dev.codex4j.protocol.types.UserInput;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A running turn. Consume it with {@link #run()} (the fold to a {@link RunResult}) or with
 * {@link #events()} (every event, then {@code result()}), one consumer at a time; steer or
 * interrupt it from any thread meanwhile.
 *
 * <p>Its events sit in a mailbox of their own from the first notification on (even those that
 * beat the {@code turn/start} reply), so nothing is lost however late the consumer comes. A
 * {@code run()} consumer is woken only when the turn ends (or every thousand or so events, to fold
 * them in one go); an {@code events()} consumer once per batch of lines the server wrote, or with a
 * latency budget ({@link #events(Duration)}) at most once per budget. A slow
 * consumer holds up only its own turn.
 *
 * <p>The thread is free for its next turn as soon as the server's {@code turn/completed} arrives,
 * whether or not anyone consumed this turn. A handle that becomes unreachable before it was
 * consumed releases its events (the connection's sweeper notices); events nobody consumes are also bounded by the
 * client's memory budget, over which the turn is discarded and consuming it throws
 * {@link dev.codex4j.errors.TurnDiscardedException}.
 *
 * <pre>{@code
 * TurnHandle turn = thread.turn("Refactor the parser");
 * turn.steer("Keep the public API unchanged.");
 * RunResult result = turn.run();
 * }</pre>
 */
public final class TurnHandle implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TurnHandle.class.getName());
    /** How long a retried interrupt keeps trying while the server says the turn is not active yet. */
    private static final Duration INTERRUPT_PATIENCE = Duration.ofMinutes(5);
    /** Between interrupts the server refused because the turn was not active yet: 10 ms doubling to 500 ms. */
    private static final Backoff INTERRUPT_BACKOFF = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(500),
            Backoff.Sleeper.SYSTEM);

    private final CodexThread thread;
    /** The connection the turn runs on: steer and interrupt go there, and fail fast once it is lost. */
    private final Connection connection;
    private final String id;
    private final TurnMailbox mailbox;
    private final TurnOptions options;
    /**
     * How long a turn that failed on a limit waits for the {@code account/rateLimits/updated} the
     * server sent just before (delivered on another thread) to be read.
     */
    private static final Duration LIMIT_SNAPSHOT_PATIENCE = Duration.ofMillis(250);
    private final long startNanos;
    /** Who reads the mailbox now: null, a Thread (run()), an {@link AsyncRun}, or a {@link TurnEventStream}. */
    private final AtomicReference<@Nullable Object> consumer = new AtomicReference<>();
    /** Owned by the current consumer (handed over with {@code consumer}). */
    private final TurnFold fold;
    private final AtomicBoolean interrupting = new AtomicBoolean();
    private volatile @Nullable RunResult result;
    private volatile boolean interruptRequested;
    /** The turn as the observer sees it: ended once, by whoever completes the turn. */
    private final Observer.TurnSpan span;
    /** The turn's admission slot: given back by the first of its consumer's fold of the end and the reservation's release. */
    private final Admission.Permit permit;

    /** A runAsync consumer; abandoned once its future completed without it (cancel, orTimeout). */
    private static final class AsyncRun {
        final Thread thread;
        volatile boolean abandoned;

        AsyncRun(Thread thread) {
            this.thread = thread;
        }
    }

    TurnHandle(CodexThread thread, Connection connection, String id, TurnMailbox mailbox, TurnOptions options,
            long startNanos, Observer.TurnSpan span, Admission.Permit permit, @Nullable String model,
            @Nullable BudgetWatch watch) {
        this.thread = thread;
        this.connection = connection;
        this.span = span;
        this.permit = permit;
        this.id = id;
        this.mailbox = mailbox;
        this.options = options;
        this.startNanos = startNanos;
        this.fold = new TurnFold(id, startNanos, model, thread.session().options().usage().prices());
        fold.watchedBy(watch);
        // Held weakly by the mailbox: an unconsumed handle nobody can reach lets its events go.
        mailbox.ownedBy(this);
    }

    /** CodexThread, before the handle is handed out: the fold settles the watch at the turn's end. */
    void followSubAgents(SubAgentWatch watch) {
        fold.subAgents(watch);
    }

    /** @return the turn's id */
    public String id() {
        return id;
    }

    /** @return the thread's id */
    public String threadId() {
        return thread.id();
    }

    /**
     * @return whether the turn has ended: its {@code turn/completed} arrived (consumed or not), or
     *     the completion watchdog settled it from the server's view
     */
    public boolean isCompleted() {
        return result != null || mailbox.terminalReceived();
    }

    /**
     * Adds input to the running turn ({@code turn/steer}).
     *
     * @param input more input for the model (see {@link Inputs})
     * @throws IllegalArgumentException when the input is empty or a text holds a lone surrogate
     * @throws dev.codex4j.errors.CodexRpcException when the turn is no longer running
     */
    public void steer(List<? extends UserInput> input) {
        thread.session().callOn(connection, ClientMethods.TURN_STEER, TurnSteerParams.builder()
                .threadId(thread.id())
                .expectedTurnId(id)
                .input(Inputs.check(input))
                .build());
    }

    /**
     * Changes the model, reasoning effort or summary, or the approvals reviewer, for the rest of
     * this turn ({@code turn/settings/update}, experimental); later turns keep the thread's
     * settings (see {@link CodexThread#updateSettings(ThreadSettings)}).
     *
     * <pre>{@code
     * if (!turn.updateSettings(TurnSettings.builder().effort("high").build()).equals(TurnSettingsUpdateStatus.APPLIED)) {
     *     log("the turn had no step left to change");
     * }
     * }</pre>
     *
     * @param settings what to change
     * @return {@code APPLIED} (published for the turn's next steps), {@code TARGET_UNAVAILABLE}
     *     (the turn had nothing left running to change), or an unknown value of a newer server
     * @throws ExperimentalApiRequiredException when the client was built without
     *     {@code experimentalApi(true)} (nothing is sent)
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses the settings
     */
    public TurnSettingsUpdateStatus updateSettings(TurnSettings settings) {
        Objects.requireNonNull(settings, "settings");
        thread.requireExperimental(ClientMethods.TURN_SETTINGS_UPDATE.name());
        return thread.session().callOn(connection, ClientMethods.TURN_SETTINGS_UPDATE, settings.params(thread.id(), id))
                .status();
    }

    /** @param input more input for the model */
    public void steer(UserInput input) {
        steer(List.of(input));
    }

    /** @param text more text for the model */
    public void steer(String text) {
        steer(Inputs.text(text));
    }

    /**
     * Asks the server to stop the turn ({@code turn/interrupt}); the turn then ends with status
     * {@code interrupted}, which {@link #run()} returns normally. Never lost: when the server
     * answers that the turn is not active yet (an interrupt right after {@code turn()}), it is sent
     * again, with backoff, until the turn ends. Does nothing once the turn has ended.
     *
     * @throws dev.codex4j.errors.CodexRpcException when the server refuses it for another reason
     */
    public void interrupt() {
        if (isCompleted()) {
            return;
        }
        interruptRequested = true;
        try {
            sendInterrupt();
        } catch (InvalidRequestException e) {
            if (!notActiveYet(e)) {
                throw e;
            }
            interruptInBackground();
        } catch (RequestTimeoutException e) {
            interruptInBackground();
        }
    }

    /** The budget watch: the turn crossed a budget; its result says so, and it is interrupted. */
    void stopForBudget(String why) {
        fold.budgetExceeded(why);
        interruptInBackground();
    }

    /** @return whether an interrupt was asked for (by {@link #interrupt()}, a timeout, a cancel or close) */
    public boolean isInterruptRequested() {
        return interruptRequested;
    }

    private void sendInterrupt() {
        thread.session().callOn(connection, ClientMethods.TURN_INTERRUPT,
                TurnInterruptParams.builder().threadId(thread.id()).turnId(id).build());
    }

    private static boolean notActiveYet(InvalidRequestException e) {
        return e.rpcMessage().contains("no active turn");
    }

    /** Sends the interrupt on a thread of its own, again until it is accepted or the turn ends. */
    void interruptInBackground() {
        interruptRequested = true;
        if (isCompleted() || !interrupting.compareAndSet(false, true)) {
            return;
        }
        try {
            connection.startThread("codex4j-interrupt-" + id, this::interruptUntilAccepted);
        } catch (RuntimeException e) {
            interrupting.set(false);
        }
    }

    private void interruptUntilAccepted() {
        Deadline deadline = Deadline.after(INTERRUPT_PATIENCE);
        try {
            for (int attempt = 1; !isCompleted() && connection.isOpen() && !deadline.isExpired(); attempt++) {
                try {
                    sendInterrupt();
                    return;
                } catch (InvalidRequestException e) {
                    if (!notActiveYet(e)) {
                        LOG.log(Level.WARNING, "The server refused to interrupt turn " + id + ": " + e.getMessage());
                        return;
                    }
                } catch (RequestTimeoutException e) {
                    // try again
                }
                INTERRUPT_BACKOFF.sleep(attempt, deadline);
            }
        } catch (InterruptedException | TransportClosedException e) {
            // the client is closing
        } catch (CodexException e) {
            LOG.log(Level.DEBUG, () -> "Interrupting turn " + id + " failed: " + e);
        } finally {
            interrupting.set(false);
        }
    }

    /**
     * Waits for the turn to end and returns its result. Parks without waking until the turn ends
     * (or many events have piled up), then folds them in one go.
     *
     * @return the result; status {@code completed} or {@code interrupted}
     * @throws TurnFailedException when the turn failed, with the server's error; a
     *     {@link UsageLimitException} when it failed on the account's usage or rate limit
     * @throws TurnTimeoutException when {@link TurnOptions#timeout()} passed: thrown at the
     *     deadline, whatever the server does; an interrupt of the turn has been requested
     * @throws TransportClosedException when the connection closed first
     * @throws dev.codex4j.errors.TurnDiscardedException when the turn's events were discarded
     * @throws CodexException when the calling thread is interrupted (the turn goes on)
     * @throws IllegalStateException when another consumer is reading this turn
     */
    public RunResult run() {
        if (result == null) {
            Object me = Thread.currentThread();
            acquire(me);
            try {
                consumeToEnd();
            } finally {
                consumer.compareAndSet(me, null);
            }
        }
        return resultOrThrow();
    }

    /** The current consumer: folds everything until turn/completed, waking only when there is work. */
    private void consumeToEnd() {
        if (result != null) {
            return;
        }
        mailbox.attach(TurnMailbox.WakePolicy.COMPLETION);
        try {
            long deadline = deadline();
            while (result == null) {
                mailbox.drainTo(fold::fold, Integer.MAX_VALUE);
                RunResult r = fold.result();
                if (r != null) {
                    completed(r);
                    return;
                }
                // The consumer is woken only at the end: it looks in now and then to see retries.
                if (!mailbox.awaitReady(Math.min(deadline, nextStallCheck()))) {
                    checkDeadlines(deadline);
                }
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("turn " + id + " (the turn goes on; call interrupt() to stop it)", e);
        } catch (RuntimeException e) {
            permit.settle(); // the consumer learns how the turn ended: nothing left to wait for
            throw e;
        } finally {
            mailbox.detach();
        }
    }

    /**
     * Runs {@link #run()} on a virtual thread of its own. Cancelling the future (with or without
     * {@code mayInterruptIfRunning}) interrupts the turn. A future completed otherwise without its
     * result (for example by {@code orTimeout}) lets the turn go on and gives up its consumer role,
     * so that {@code run()} or {@code events()} can take over.
     *
     * @return the result to come
     */
    public CompletableFuture<RunResult> runAsync() {
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        AsyncRun[] self = new AsyncRun[1];
        Thread t = Thread.ofVirtual().name("codex4j-run-" + id).unstarted(() -> {
            try {
                if (result == null) {
                    acquire(self[0]);
                    try {
                        consumeToEnd();
                    } finally {
                        consumer.compareAndSet(self[0], null);
                    }
                }
                f.complete(resultOrThrow());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        self[0] = new AsyncRun(t);
        f.whenComplete((r, e) -> {
            if (e == null || Thread.currentThread() == t) {
                return;
            }
            // Completed from outside: cancel() or a timeout of the caller's.
            self[0].abandoned = true;
            t.interrupt();
            if (f.isCancelled()) {
                interruptInBackground();
            }
        });
        t.start();
        return f;
    }

    /**
     * The turn's events, ending with {@link TurnEvent.Completed}. A blocking, closeable stream for
     * one consumer; closing it early leaves the turn running (see {@link #interrupt()}), and
     * {@link #run()} can take over from where it stopped.
     *
     * @return the events
     * @throws IllegalStateException when another consumer is reading this turn
     */
    public TurnEventStream events() {
        return events(thread.session().options().maxDelay());
    }

    /**
     * {@link #events()} with a latency budget: no event waits longer than {@code maxDelay} plus the
     * dispatcher's coalescing window (1 ms) before this consumer is woken for it. Within that, the
     * consumer is woken at most once per {@code maxDelay} while events keep coming (the first after
     * a quiet spell at once), and at once for {@code turn/completed}, an {@code error}, a server
     * request of this turn (an approval, a tool call) and a pile of events (the high-water mark).
     * A UI that draws every 16-50 ms loses nothing by saying so, and the SDK pays a wake-up per
     * frame instead of one per batch of lines (see {@link CodexBuilder#maxDelay(Duration)}).
     *
     * @param maxDelay the longest an event may wait beyond the window ({@link Duration#ZERO}: every read batch)
     * @return the events
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     * @throws IllegalStateException when another consumer is reading this turn
     */
    public TurnEventStream events(Duration maxDelay) {
        Waits.maxDelay(maxDelay);
        TurnEventStream events = new TurnEventStream(this, maxDelay);
        acquire(events);
        if (result == null) {
            try {
                mailbox.attach(maxDelay);
            } catch (RuntimeException e) {
                consumer.compareAndSet(events, null);
                throw e;
            }
        }
        return events;
    }

    /**
     * The turn's events as a {@link java.util.concurrent.Flow.Publisher}, for Reactive Streams
     * libraries (Reactor, RxJava, Mutiny, Akka/Pekko Streams): backpressure honoured, one subscriber
     * (it becomes the turn's consumer), every signal on a virtual thread of the subscription's own,
     * and cancelling it interrupts the turn. See {@link TurnEventPublisher} for the rules.
     *
     * <pre>{@code
     * Flux<TurnEvent> events = JdkFlowAdapter.flowPublisherToFlux(thread.turn("Explain").publisher());
     * }</pre>
     *
     * <p>Its subscriber's latency budget is the client's default ({@link CodexBuilder#maxDelay(Duration)}),
     * as for {@link #events()}; {@link #publisher(Duration)} states one.
     *
     * @return a publisher of this turn's events; subscribing takes the consumer role
     */
    public TurnEventPublisher publisher() {
        return publisher(thread.session().options().maxDelay());
    }

    /**
     * {@link #publisher()} with a latency budget, as {@link #events(Duration)}: while the subscriber
     * has demand, no event waits longer than {@code maxDelay} plus the dispatcher's coalescing window
     * before the subscription's thread is woken for it, and that thread is woken at most once per
     * {@code maxDelay} while events keep coming (at once for {@code turn/completed}, an
     * {@code error}, a server request of this turn and the high-water mark). A UI that draws every
     * 16-50 ms loses nothing by saying so.
     *
     * <pre>{@code
     * Flux<TurnEvent> frames = JdkFlowAdapter.flowPublisherToFlux(turn.publisher(Duration.ofMillis(20)));
     * }</pre>
     *
     * @param maxDelay the longest an event may wait beyond the window ({@link Duration#ZERO}: every read batch)
     * @return a publisher of this turn's events; subscribing takes the consumer role
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     */
    public TurnEventPublisher publisher(Duration maxDelay) {
        return new TurnEventPublisher(this, Waits.maxDelay(maxDelay));
    }

    /** @return the result once the turn ended (a failed turn's result has status {@code failed}) */
    public Optional<RunResult> result() {
        return Optional.ofNullable(result);
    }

    /**
     * Leaving a try-with-resources block before the turn ended interrupts it (best effort, in the
     * background; the thread takes a new turn once the server confirms the end). A completed
     * turn's close does nothing. Throws nothing.
     */
    @Override
    public void close() {
        if (!isCompleted()) {
            interruptInBackground();
        }
    }

    /** TurnEventStream: its consumer stops reading (early, or after the last event). */
    void release(TurnEventStream events) {
        if (consumer.get() == events) {
            mailbox.detach();
            consumer.compareAndSet(events, null);
        }
    }

    private void acquire(Object owner) {
        for (;;) {
            if (consumer.compareAndSet(null, owner)) {
                return;
            }
            Object current = consumer.get();
            if (current instanceof AsyncRun a && a.abandoned) {
                try {
                    if (!a.thread.join(Duration.ofSeconds(1))) {
                        throw new IllegalStateException("turn " + id + ": an abandoned runAsync consumer did not stop");
                    }
                } catch (InterruptedException e) {
                    throw Waits.interrupted("turn " + id + "'s consumer", e);
                }
                consumer.compareAndSet(a, null);
                continue;
            }
            if (current != null) {
                throw new IllegalStateException("turn " + id
                        + " already has a consumer: use either run() or events(), from one thread at a time");
            }
        }
    }

    /** @return when the consumer should next look whether the model has been unreachable for too long */
    private long nextStallCheck() {
        Duration limit = thread.session().options().reconnectTimeout();
        if (limit.isZero()) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long since = fold.retryingSinceNanos();
        long period = Math.max(limit.toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(10));
        return since == 0 ? now + period : Math.min(since + limit.toNanos(), now + period);
    }

    /** A wait ended without news: throws when the turn's timeout or the reconnect limit passed. */
    private void checkDeadlines(long deadline) {
        long now = System.nanoTime();
        if (deadline - now <= 0) {
            throw timedOut();
        }
        Duration limit = thread.session().options().reconnectTimeout();
        long since = fold.retryingSinceNanos();
        if (!limit.isZero() && since != 0 && now - since >= limit.toNanos()) {
            interruptInBackground();
            throw new ModelUnreachableException(id, Duration.ofNanos(now - since), fold.lastRetryError());
        }
    }

    private long deadline() {
        Duration t = options.timeout();
        return t == null ? Long.MAX_VALUE : startNanos + t.toNanos();
    }

    private TurnTimeoutException timedOut() {
        Duration t = Objects.requireNonNull(options.timeout());
        interruptInBackground();
        return new TurnTimeoutException(id, t);
    }

    private void completed(RunResult r) {
        result = r;
        permit.release(); // before the consumer goes on: its next turn() must find this slot free
        thread.session().spending().add(thread.id(), r);
        span.completed(thread.id(), r);
        permit.settle(); // a graceful shutdown waited for this consumer to have its result
    }

    private RunResult resultOrThrow() {
        RunResult r = Objects.requireNonNull(result, "no result");
        if (r.status().equals(TurnStatus.FAILED)) {
            throw failure(r);
        }
        return r;
    }

    /** @return the exception a failed turn's consumer gets */
    TurnFailedException failure(RunResult r) {
        TurnError error = r.error().orElseGet(() -> TurnError.builder()
                .message("turn failed (the server gave no error)").build());
        if (UsageLimitException.isLimit(error)) {
            RateLimitTracker limits = thread.session().rateLimits();
            RateLimitSnapshot snapshot = limits.afterLimitFailure(LIMIT_SNAPSHOT_PATIENCE);
            return new UsageLimitException(r.turnId(), r, error, snapshot, limits.blockedUntil());
        }
        return new TurnFailedException(r.turnId(), r, error);
    }

    /** The publisher's consumer has no demand: its events count as unconsumed (and bounded) meanwhile. */
    void pause() {
        if (result == null) {
            mailbox.detach();
        }
    }

    /**
     * The publisher's consumer has demand again: reattaches, with its latency budget.
     *
     * @throws dev.codex4j.errors.TurnDiscardedException when the turn was discarded meanwhile
     */
    void resume(Duration maxDelay) {
        if (result == null) {
            mailbox.attach(maxDelay);
        }
    }

    Connection connection() {
        return connection;
    }

    /**
     * TurnEventStream: the next event, or null after the last one. Honours the turn's timeout: at the
     * deadline it requests an interrupt and throws {@link TurnTimeoutException}.
     */
    @Nullable TurnEvent next() {
        if (fold.result() != null) {
            return null;
        }
        long deadline = deadline();
        try {
            while (true) {
                Inbound in = mailbox.poll();
                if (in == null) {
                    in = mailbox.takeBy(Math.min(deadline, nextStallCheck()));
                    if (in == null) {
                        checkDeadlines(deadline);
                        continue;
                    }
                }
                TurnEvent event = fold.accept(in);
                if (event instanceof TurnEvent.Completed c) {
                    completed(c.result());
                }
                if (event != null) {
                    return event;
                }
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("turn " + id + " (the turn goes on; call interrupt() to stop it)", e);
        }
    }

    TurnOptions options() {
        return options;
    }

    TurnMailbox mailbox() {
        return mailbox;
    }
}
