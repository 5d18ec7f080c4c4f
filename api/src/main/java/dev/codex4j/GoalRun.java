package dev.codex4j;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.internal.sdk.FlowEmitter;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.Spending;
import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadGoal;
import dev.codex4j.protocol.types.ThreadGoalSetParams;
import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.TurnInterruptParams;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A thread goal run as one logical run ({@link CodexThread#startGoal}): the server starts
 * continuation turns by itself while the goal is active; this folds each of them into a
 * {@link RunResult} (items, usage, cost, status) until the goal leaves {@code active}
 * ({@code complete}, {@code budgetLimited}, {@code paused}, ...) and no turn of it is running.
 * Approvals and tool calls of these turns are answered by the thread's own chain (its tools and
 * interceptors, its approval mode, then the client's inbox and handler; see
 * {@link CodexThread#followServerTurns}).
 *
 * <p>A subscription to the thread (its turns included), opened before {@code thread/goal/set} is
 * sent, feeds it: the fold of each turn runs on the subscription's virtual thread; {@link #await}
 * waits under this object's lock. Close it (or let {@code await} end) to stop listening.
 *
 * <p><b>Its events across turns.</b> {@link #events()} (or {@link #subscribe}) gives every event of
 * every turn of the run, in order, once, from the first: each turn's open with a
 * {@link TurnEvent.Notification} holding its {@code turn/started}
 * ({@link ServerNotification.TurnStarted}) and end with its {@link TurnEvent.Completed}; the goal's
 * own updates come between as {@link TurnEvent.Notification}s ({@code thread/goal/updated},
 * {@code thread/goal/cleared}). The run keeps the events for its one reader from the moment the goal
 * is set, however late the reader comes and however long it takes over one turn (nothing is lost
 * between turns); it stops keeping them when {@link #await} is called with no reader attached, or
 * when the run is closed. The stream ends when the run ends (the goal is no longer active and its
 * last turn ended), or when the run is closed.
 *
 * <pre>{@code
 * try (GoalRun run = thread.startGoal("Make every test pass", 200_000L)) {
 *     GoalResult r = run.await(Duration.ofMinutes(30));
 *     System.out.println(r.goal().status() + " after " + r.turns().size() + " turns");
 * }
 * }</pre>
 */
public final class GoalRun implements AutoCloseable {
    private final CodexThread thread;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Owned by the subscription's thread. */
    private final Map<String, TurnFold> folds = new HashMap<>();
    private final List<RunResult> turns = new ArrayList<>();
    private @Nullable ThreadGoal goal;
    private @Nullable String runningTurn;
    private boolean cleared;
    private boolean interrupted;
    /** Why a budget stopped the run (the goal was paused), or null; guarded by {@code lock}. */
    private @Nullable String budgetStopped;
    /** The turns a budget stopped (interrupt sent); owned by the subscription's thread. */
    private final java.util.Set<String> stoppedTurns = new java.util.HashSet<>();
    private final Subscription subscription;
    /** The events for the reader (guarded by {@code lock}); null once no reader will come. */
    private @Nullable ArrayDeque<Entry> log = new ArrayDeque<>();
    /** The reader (a {@link GoalEventStream}), or null; guarded by {@code lock}. */
    private @Nullable GoalEventStream reader;
    private boolean closed;
    /** When the reader was last woken, and whether a deferred wake is pending (its latency budget); guarded by {@code lock}. */
    private long lastWakeNanos;
    private boolean wakePending;

    /** One event for the reader, with the turn it belongs to (null for the goal's own updates). */
    record Entry(@Nullable String turnId, TurnEvent event) {}

    GoalRun(CodexThread thread, Connection connection) {
        this.thread = thread;
        this.connection = connection;
        this.subscription = connection.subscribeThread(thread.id(), this::accept, Integer.MAX_VALUE, true);
    }

    /** The goal as {@code thread/goal/set} answered (before any update). */
    void started(ThreadGoal initial) {
        lock.lock();
        try {
            if (goal == null) {
                goal = initial;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void accept(Inbound in) {
        String method = in.method();
        if (ServerNotification.ThreadGoalUpdated.METHOD.equals(method)) {
            ServerNotification n = Session.typed(in);
            if (n instanceof ServerNotification.ThreadGoalUpdated u) {
                update(u.params().goal(), false, n);
            } else {
                update(null, false, n);
            }
            return;
        }
        if (ServerNotification.ThreadGoalCleared.METHOD.equals(method)) {
            update(null, true, Session.typed(in));
            return;
        }
        String turnId = in.turnId();
        if (turnId == null) {
            return;
        }
        boolean opened = !folds.containsKey(turnId);
        TurnFold fold = folds.computeIfAbsent(turnId, id -> {
            lock.lock();
            try {
                runningTurn = id;
            } finally {
                lock.unlock();
            }
            return new TurnFold(id, System.nanoTime(), thread.modelOrNull(), thread.session().options().usage().prices());
        });
        TurnEvent event = fold.accept(in);
        holdBudget(turnId, fold, opened, method);
        RunResult r = fold.result();
        if (r != null) {
            folds.remove(turnId);
            thread.session().spending().add(thread.id(), r);
        }
        if (event == null && r == null) {
            return;
        }
        lock.lock();
        try {
            if (r != null) {
                turns.add(r);
                if (turnId.equals(runningTurn)) {
                    runningTurn = null;
                }
                changed.signalAll();
            }
            if (event != null) {
                offer(new Entry(turnId, event), r != null || event instanceof TurnEvent.Error
                        || event instanceof TurnEvent.Notification n && n.notification() instanceof ServerNotification.TurnStarted);
            } else {
                wakeReader(true); // the run may have ended
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * On the subscription's thread, after each notification of a turn is folded: the client's and
     * the thread's {@link Budget} hold on the run's turns too. A turn that starts over budget, or
     * whose usage so far takes the spend over it, is stopped once: its result says why, the goal is
     * paused (so the server starts no other turn for it) and the turn interrupted, off this thread.
     * The judging runs here, where the turn is folded, so the verdict is in the turn's result
     * however the threads are scheduled.
     */
    private void holdBudget(String turnId, TurnFold fold, boolean opened, String method) {
        Spending spending = thread.session().spending();
        if (!spending.hasBudget(thread.id()) || stoppedTurns.contains(turnId) || fold.result() != null) {
            return;
        }
        String why;
        if (opened) {
            String over = spending.overBefore(thread.id());
            why = over == null ? null : "the turn started over budget: " + over;
        } else if (ServerNotification.ThreadTokenUsageUpdated.METHOD.equals(method)) {
            TokenCount t = fold.turnUsage();
            if (t == null) {
                return;
            }
            PriceTable prices = thread.session().options().usage().prices();
            Cost c = prices == null ? new Cost.Unknown("not priced (no PriceTable)") : prices.costOf(thread.modelOrNull(), t);
            String over = spending.overBy(thread.id(), new Spend(1, t, c));
            why = over == null ? null : "the turn crossed the " + over;
        } else {
            return;
        }
        if (why == null) {
            return;
        }
        stoppedTurns.add(turnId);
        fold.budgetExceeded(why);
        boolean pause;
        lock.lock();
        try {
            pause = budgetStopped == null;
            if (pause) {
                budgetStopped = why;
            }
        } finally {
            lock.unlock();
        }
        connection.startThread("codex4j-goal-budget-" + turnId, () -> {
            try {
                if (pause) {
                    update(thread.session().callOn(connection, ClientMethods.THREAD_GOAL_SET, ThreadGoalSetParams.builder()
                            .threadId(thread.id()).status(ThreadGoalStatus.PAUSED).build()).goal());
                }
            } catch (dev.codex4j.errors.CodexException e) {
                System.getLogger(GoalRun.class.getName()).log(System.Logger.Level.WARNING,
                        "Could not pause the goal of thread " + thread.id() + " over its budget", e);
            }
            try {
                thread.session().callOn(connection, ClientMethods.TURN_INTERRUPT,
                        TurnInterruptParams.builder().threadId(thread.id()).turnId(turnId).build());
            } catch (dev.codex4j.errors.CodexException e) {
                // it ended meanwhile, or the connection did
            }
        });
    }

    /** The goal as a reply said it (not an event of the run). */
    private void update(@Nullable ThreadGoal g) {
        lock.lock();
        try {
            if (g != null) {
                goal = g;
            }
            changed.signalAll();
            wakeReader(true);
        } finally {
            lock.unlock();
        }
    }

    private void update(@Nullable ThreadGoal g, boolean clear, ServerNotification n) {
        lock.lock();
        try {
            if (g != null) {
                goal = g;
            }
            cleared |= clear;
            changed.signalAll();
            offer(new Entry(null, new TurnEvent.Notification(n)), true);
        } finally {
            lock.unlock();
        }
    }

    /** Lock held: keeps an event for the reader, and wakes it (at once when urgent, else within its budget). */
    private void offer(Entry e, boolean urgent) {
        ArrayDeque<Entry> l = log;
        if (l != null) {
            l.add(e);
            wakeReader(urgent);
        }
    }

    /** Lock held: wakes the reader now, or once its latency budget since its last wake has passed. */
    private void wakeReader(boolean urgent) {
        GoalEventStream r = reader;
        if (r == null) {
            return;
        }
        long budget = r.maxDelay().toNanos();
        long now = System.nanoTime();
        if (urgent || budget == 0 || now - lastWakeNanos >= budget) {
            lastWakeNanos = now;
            changed.signalAll();
        } else if (!wakePending) {
            wakePending = true;
            long due = lastWakeNanos + budget;
            Thread.ofVirtual().name("codex4j-goal-wake-" + thread.id()).start(() -> {
                try {
                    Thread.sleep(Duration.ofNanos(Math.max(0, due - System.nanoTime())));
                } catch (InterruptedException ignored) {
                    // wake now
                }
                lock.lock();
                try {
                    wakePending = false;
                    lastWakeNanos = System.nanoTime();
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            });
        }
    }

    private boolean ended() {
        ThreadGoal g = goal;
        boolean terminal = cleared || g != null && !ThreadGoalStatus.ACTIVE.equals(g.status());
        return terminal && runningTurn == null;
    }

    /**
     * Waits until the goal is no longer active and its last turn ended, or the deadline passed (then
     * the run is {@linkplain #interrupt() interrupted} and waited for, up to the request timeout).
     *
     * @param timeout the deadline of the whole run
     * @return the run so far
     * @throws dev.codex4j.errors.CodexException when the calling thread is interrupted
     */
    public GoalResult await(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        try {
            lock.lock();
            try {
                if (reader == null) {
                    log = null; // awaited without a reader: the events are not kept any longer
                }
                while (!ended() && !deadline.isExpired()) {
                    changed.awaitNanos(Math.max(1, deadline.remainingNanos()));
                }
            } finally {
                lock.unlock();
            }
            if (!ended()) {
                interrupt();
                Deadline settle = Deadline.after(thread.session().requestTimeout());
                lock.lock();
                try {
                    while (!ended() && !settle.isExpired()) {
                        changed.awaitNanos(Math.max(1, settle.remainingNanos()));
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("the goal run of thread " + thread.id(), e);
        }
        return result();
    }

    /** @return the run as it stands: the turns that ended so far, and the goal as last heard of */
    public GoalResult result() {
        lock.lock();
        try {
            return new GoalResult(List.copyOf(turns), goal, cleared, interrupted, java.util.Optional.ofNullable(budgetStopped));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses the goal ({@code thread/goal/set} with status {@code paused}) and interrupts the turn
     * it is running, if any; the run then ends as interrupted. Resume it with
     * {@link CodexThread#resumeGoal()}.
     */
    public void interrupt() {
        String turn;
        lock.lock();
        try {
            interrupted = true;
            turn = runningTurn;
        } finally {
            lock.unlock();
        }
        ThreadGoal g = thread.session().callOn(connection, ClientMethods.THREAD_GOAL_SET, ThreadGoalSetParams.builder()
                .threadId(thread.id()).status(ThreadGoalStatus.PAUSED).build()).goal();
        update(g);
        if (turn != null) {
            try {
                thread.session().callOn(connection, ClientMethods.TURN_INTERRUPT,
                        TurnInterruptParams.builder().threadId(thread.id()).turnId(turn).build());
            } catch (dev.codex4j.errors.CodexRpcException e) {
                // it ended meanwhile
            }
        }
    }

    /**
     * The run's events, every turn's, from the first (see the class doc): a blocking, closeable
     * stream for one reader, which ends when the run ends. Its wake-ups follow the client's
     * latency budget ({@link CodexBuilder#maxDelay}).
     *
     * <pre>{@code
     * try (GoalRun run = thread.startGoal("Make every test pass", 200_000L);
     *         GoalEventStream events = run.events()) {
     *     for (TurnEvent e : events) {
     *         if (e instanceof TurnEvent.Completed c) System.out.println("turn " + c.result().turnId() + " ended");
     *     }
     * }
     * }</pre>
     *
     * @return the events
     * @throws IllegalStateException when the run already has a reader, or was awaited or closed
     *     without one (its events were not kept)
     */
    public GoalEventStream events() {
        return events(thread.session().options().maxDelay());
    }

    /**
     * {@link #events()} with a latency budget: an event waits at most {@code maxDelay} for the
     * reader (beyond the dispatcher's window), and the reader is woken at most once per budget while
     * events keep coming; at once for a turn's start and end, an error, and the goal's updates.
     *
     * @param maxDelay the longest an event may wait ({@link Duration#ZERO}: woken for each)
     * @return the events
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     * @throws IllegalStateException when the run already has a reader, or was awaited or closed
     *     without one
     */
    public GoalEventStream events(Duration maxDelay) {
        Waits.maxDelay(maxDelay);
        lock.lock();
        try {
            if (reader != null) {
                throw new IllegalStateException("the goal run of thread " + thread.id() + " already has a reader");
            }
            if (log == null) {
                throw new IllegalStateException("the goal run of thread " + thread.id() + " was awaited or closed"
                        + " without a reader, so its events were not kept: call events() or subscribe() first");
            }
            GoalEventStream s = new GoalEventStream(this, maxDelay);
            reader = s;
            return s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The run's events as a {@link java.util.concurrent.Flow.Publisher} (JDK {@code Flow}, the
     * Reactive Streams interfaces), for Reactor, RxJava, Mutiny or Pekko Streams: the same events
     * as {@link #events()}, from the run's first, in order, once; {@code onComplete} when the run
     * ends. Its subscriber takes the run's one reader role: a second subscriber (or one after
     * {@link #events()}, {@link #subscribe}, or an {@link #await} with no reader) gets
     * {@code onSubscribe} then {@code onError} with an {@link IllegalStateException}. An event is
     * taken from the run only when the subscriber has requested one; the run keeps the rest (it
     * drops nothing). {@code cancel()} stops reading and gives up the reader role; the goal goes on
     * (pause it with {@link #interrupt()}). A lost connection gives
     * {@link dev.codex4j.errors.TransportClosedException}. Every signal comes on a virtual thread
     * of the subscription's own ({@code codex4j-flow-goal-<threadId>}); {@code request} and
     * {@code cancel} may be called from any thread. The latency budget is the client's
     * ({@link CodexBuilder#maxDelay}); {@link #publisher(Duration)} states one.
     *
     * <pre>{@code
     * try (GoalRun run = thread.startGoal("Make every test pass", 200_000L)) {
     *     Flux<TurnEvent> events = JdkFlowAdapter.flowPublisherToFlux(run.publisher());
     *     events.ofType(TurnEvent.Completed.class).subscribe(c -> log(c.result()));
     *     GoalResult r = run.await(Duration.ofMinutes(30));
     * }
     * }</pre>
     *
     * @return a publisher of the run's events; subscribing takes the reader role
     */
    public java.util.concurrent.Flow.Publisher<TurnEvent> publisher() {
        return publisher(thread.session().options().maxDelay());
    }

    /**
     * {@link #publisher()} with a latency budget, as {@link #events(Duration)}.
     *
     * @param maxDelay the longest an event may wait ({@link Duration#ZERO}: woken for each)
     * @return a publisher of the run's events; subscribing takes the reader role
     * @throws IllegalArgumentException when {@code maxDelay} is negative
     */
    public java.util.concurrent.Flow.Publisher<TurnEvent> publisher(Duration maxDelay) {
        return new GoalEventPublisher(this, connection, thread.id(), Waits.maxDelay(maxDelay));
    }

    /**
     * {@link #events()} pushed to a listener, on a virtual thread of its own
     * ({@code codex4j-goal-<threadId>}), one event at a time, in order, from the run's first; a
     * listener that throws is logged at WARNING and keeps receiving. Nothing is dropped: the run
     * keeps what the listener has not taken yet. It ends with the run.
     *
     * @param listener receives each event
     * @return the subscription; close it to stop listening
     * @throws IllegalStateException as {@link #events()}
     */
    public dev.codex4j.Subscription subscribe(Consumer<? super TurnEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        GoalEventStream s = events();
        Thread t = Thread.ofVirtual().name("codex4j-goal-" + thread.id()).start(() -> {
            try (s) {
                for (TurnEvent e : s) {
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        System.getLogger(GoalRun.class.getName()).log(System.Logger.Level.WARNING,
                                "A listener of the goal run of thread " + thread.id() + " failed", ex);
                    }
                }
            } catch (dev.codex4j.errors.CodexException e) {
                // closed, interrupted, or the connection ended
            }
        });
        return new dev.codex4j.Subscription(new dev.codex4j.internal.runtime.Subscription() {
            @Override
            public void close() {
                s.close();
                if (Thread.currentThread() != t) {
                    t.interrupt();
                }
            }

            @Override
            public Duration latencyBudget() {
                return s.maxDelay();
            }
        });
    }

    /**
     * The reader's next event, or null once the run ended (or the stream or run was closed).
     *
     * @throws dev.codex4j.errors.TransportClosedException when the connection ended first
     * @throws dev.codex4j.errors.CodexException when the calling thread is interrupted
     */
    @Nullable Entry next(GoalEventStream s) {
        lock.lock();
        try {
            while (true) {
                if (reader != s || s.isClosed() || closed) {
                    return null;
                }
                ArrayDeque<Entry> l = log;
                Entry e = l == null ? null : l.poll();
                if (e != null) {
                    return e;
                }
                if (ended()) {
                    return null;
                }
                if (!connection.isOpen()) {
                    throw connection.closedException();
                }
                changed.awaitNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(1)); // and look whether the connection ended
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("the events of the goal run of thread " + thread.id(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The reader stops reading: the events are no longer kept. */
    void release(GoalEventStream s) {
        lock.lock();
        try {
            if (reader == s) {
                log = null;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening (the goal goes on on the server; see {@link #interrupt()}); ends its event stream. Idempotent. */
    @Override
    public void close() {
        subscription.close();
        lock.lock();
        try {
            closed = true;
            log = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A goal run's events as a {@link Flow.Publisher} ({@link GoalRun#publisher(Duration)}): the same
     * events as {@link GoalRun#events()}, pulled through a {@link FlowEmitter} from the run's one reader
     * role. One subscriber (a second, or one that comes after the run's events stopped being kept, gets
     * {@code onSubscribe} then {@code onError(IllegalStateException)}); an event is taken from the run
     * only on demand (the run keeps the rest); {@code onComplete} when the run ends; cancelling stops
     * reading (the run goes on, and keeps no more events). Every signal comes on a virtual thread of
     * the subscription's own, owned by the run's connection. It passes the Reactive Streams TCK
     * ({@code GoalPublisherTckTest}).
     */
    private static final class GoalEventPublisher implements Flow.Publisher<TurnEvent> {
        private final GoalRun run;
        private final Connection connection;
        private final String threadId;
        private final Duration maxDelay;

        GoalEventPublisher(GoalRun run, Connection connection, String threadId, Duration maxDelay) {
            this.run = run;
            this.connection = connection;
            this.threadId = threadId;
            this.maxDelay = maxDelay;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super TurnEvent> subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            String name = "codex4j-flow-goal-" + threadId;
            GoalEventStream events;
            try {
                events = run.events(maxDelay);
            } catch (RuntimeException e) {
                FlowEmitter.refuse(subscriber, e, name);
                return;
            }
            new FlowEmitter<>(subscriber, new FlowEmitter.Source<TurnEvent>() {
                @Override
                public @Nullable TurnEvent next() {
                    GoalRun.Entry e = run.next(events);
                    return e == null ? null : e.event();
                }

                @Override
                public void close() {
                    events.close();
                }
            }).startOn(connection, name);
        }
    }
}
