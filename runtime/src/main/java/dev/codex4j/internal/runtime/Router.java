package dev.codex4j.internal.runtime;

import dev.codex4j.errors.TurnDiscardedException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where each message goes, and the memory bounds on the messages nobody consumes. All of its state
 * is guarded by one lock, {@link #lock}: the dispatcher holds it while it routes a read batch (one
 * acquisition per batch, uncontended almost always); claimers, consumers attaching or detaching,
 * subscribers, and the sweeper hold it for a few field writes. Nothing blocks while holding it,
 * and nothing called under it calls out of the runtime: what must tell the outside is noted under
 * it and run by whoever releases it, after the release ({@link #unlock()}: a reservation's release
 * action; {@link #emitNotices()}: drops and discards for the observer). Every method that must be
 * called with the lock held asserts it (tests run with {@code -ea}).
 *
 * <p>What it holds:
 * <ul>
 *   <li>{@code turns}: turn id to {@link TurnRoute} (the turn's mailbox), created by a turn's first
 *       message or its claim, removed by the sweeper one TTL after the turn ended;
 *   <li>{@code reservations}: thread id to its one {@link Reservation} (a turn starting or running);
 *   <li>server-request handlers of threads, and the connection's global handler;
 *   <li>thread and global {@link Subscriber}s;
 *   <li>the budgets: bytes held for unclaimed turns ({@code heldBytes}, bounded per turn and in
 *       total, and in time), how many such turns there are ({@code heldTurns}), and bytes of
 *       claimed turns that no consumer reads ({@code unconsumedBytes}). A bound acts on a whole
 *       turn, never on part of one: the turn is discarded and its consumer gets
 *       {@link TurnDiscardedException}. It never acts on a turn someone is starting (its thread
 *       has an unclaimed reservation) or consuming.
 * </ul>
 */
final class Router {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());
    /** What a queued message costs besides its bytes: the Inbound, its array header, a queue slot. */
    static final int OVERHEAD = 96;

    /**
     * @return what a message costs in the budgets: its size on the wire plus {@link #OVERHEAD}. That
     *     bounds what it holds: a copy of its line, or, for a plain delta, a copy of its text's raw
     *     bytes alone (its {@code String} is made only by a consumer that takes it)
     */
    static long cost(Inbound in) {
        return (long) in.size() + OVERHEAD;
    }

    final ReentrantLock lock = new ReentrantLock();
    private final ConnectionOptions options;
    private final Closure closure;
    private final RuntimeStats stats;
    private final RateLimitedLog discardLog =
            new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.MINUTES.toNanos(1));
    private final RateLimitedLog dropLog = new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.MINUTES.toNanos(1));
    private final RuntimeEvents events;
    /** Whether {@link #events} is someone's: when not, no notice is ever made. */
    private final boolean observed;
    /** Notices kept between two emits at most; past it (a flood of drops), they are not kept. */
    private static final int MAX_NOTICES = 1024;

    // ---- guarded by lock
    private final HashMap<String, TurnRoute> turns = new HashMap<>();
    private final HashMap<String, Reservation> reservations = new HashMap<>();
    private final HashMap<String, ServerRequestHandler> threadHandlers = new HashMap<>();
    private final HashMap<String, ArrayList<Subscriber>> threadSubscribers = new HashMap<>();
    private final ArrayList<Subscriber> globalSubscribers = new ArrayList<>();
    private ServerRequestHandler globalHandler;
    private long heldBytes;
    private int heldTurns;
    private long unconsumedBytes;
    private boolean unconsumedWarned;
    /** Drops and discards to tell the observer once the lock is released. */
    private final ArrayList<Runnable> notices = new ArrayList<>();
    /**
     * Release actions of reservations released under the lock: added under it, run by whoever
     * releases it ({@link #unlock()}), never under it. Concurrent, so that the check after each
     * release is one read.
     */
    private final ConcurrentLinkedQueue<Runnable> afterUnlock = new ConcurrentLinkedQueue<>();
    private final SlowCallbacks slow;

    Router(ConnectionOptions options, Closure closure, RuntimeStats stats, ServerRequestHandler globalHandler,
            RuntimeEvents events, SlowCallbacks slow) {
        this.slow = slow;
        this.options = options;
        this.closure = closure;
        this.stats = stats;
        this.globalHandler = globalHandler;
        this.events = events;
        this.observed = events != RuntimeEvents.NONE;
    }

    /**
     * Whoever released the lock after routing or sweeping: tells the observer what was dropped or
     * discarded meanwhile. Outside the lock, so that the observer never runs under it.
     */
    void emitNotices() {
        if (!observed) {
            return;
        }
        ArrayList<Runnable> todo;
        lock.lock();
        try {
            if (notices.isEmpty()) {
                return;
            }
            todo = new ArrayList<>(notices);
            notices.clear();
        } finally {
            unlock();
        }
        for (Runnable r : todo) {
            r.run(); // the observer is timed by SlowCallbacks.watch
        }
    }

    /**
     * Releases the lock, then runs the release actions noted while it was held (unless this thread
     * still holds it: its outermost release runs them). Every release of the lock under which a
     * reservation can be released goes through here.
     */
    void unlock() {
        lock.unlock();
        if (!afterUnlock.isEmpty() && !lock.isHeldByCurrentThread()) {
            for (Runnable r; (r = afterUnlock.poll()) != null; ) {
                try {
                    slow.run("Reservation.whenReleased action", r);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A reservation's release action failed", e);
                }
            }
        }
    }

    /** Lock held: {@code action} runs once the lock is released, on the thread that releases it. */
    void afterUnlock(Runnable action) {
        assert lock.isHeldByCurrentThread();
        afterUnlock.add(action);
    }

    /** Lock held: a message dropped, for the observer (told by {@link #emitNotices()}). */
    private void noteDropped(Inbound in, String reason) {
        assert lock.isHeldByCurrentThread();
        if (observed && notices.size() < MAX_NOTICES) {
            String thread = in.threadId();
            String turn = in.turnId();
            String method = String.valueOf(in.method());
            notices.add(() -> events.messageDropped(thread, turn, method, reason));
        }
    }

    ConnectionOptions options() {
        return options;
    }

    Closure closure() {
        return closure;
    }

    // ================================================================ dispatcher (lock held)

    /** Dispatcher, lock held: a notification to its turn, its thread's subscribers or the global ones. */
    void routeNotification(Inbound in, Batch batch) {
        assert lock.isHeldByCurrentThread();
        String turnId = in.turnId();
        if (turnId != null) {
            TurnRoute r = turns.get(turnId);
            if (r == null) {
                boolean protectedTurn = isStarting(in.threadId());
                if (!protectedTurn && heldTurns >= options.maxHeldTurns()) {
                    stats.dropped.increment();
                    dropLog.log(() -> "Dropping " + in.method() + " of turn " + turnId + ": " + heldTurns
                            + " turns nobody claimed are held already (maxHeldTurns)");
                    noteDropped(in, "too many turns nobody claimed are held (maxHeldTurns " + options.maxHeldTurns() + ")");
                    return;
                }
                r = new TurnRoute(this, in.threadId(), turnId, TurnRoute.State.HOLDING, batch.nowNanos);
                r.countedAsHeld = true;
                heldTurns++;
                turns.put(turnId, r);
            }
            deliver(r, in, batch.nowNanos, batch);
            if (!threadSubscribers.isEmpty() && in.threadId() != null) {
                copyToThreadSubscribers(in, batch);
            }
            return;
        }
        String threadId = in.threadId();
        List<Subscriber> targets = threadId != null ? threadSubscribers.get(threadId) : globalSubscribers;
        if (targets == null || targets.isEmpty()) {
            LOG.log(Level.DEBUG, () -> "No listener for " + in.method() + (threadId == null ? "" : " of thread " + threadId));
            return;
        }
        for (int i = 0; i < targets.size(); i++) {
            Subscriber s = targets.get(i);
            s.offerQuietly(in);
            wakeSubscriber(s, in, batch);
        }
    }

    /** Dispatcher, lock held: owes a subscriber its wake, now or within its budget. */
    private void wakeSubscriber(Subscriber s, Inbound in, Batch batch) {
        if (s.budgetNanos == 0 || cannotWait(in) || ++s.sinceWake >= s.highWaterMark) {
            batch.wake(s);
        } else {
            batch.wakeWithin(s);
        }
    }

    /**
     * @return whether a message wakes its consumer at once whatever its budget: a turn's end and
     *     the server's {@code error} notification (a server request wakes the turn's consumer too,
     *     {@link #serverRequestFor})
     */
    static boolean cannotWait(Inbound in) {
        return in.isTurnCompleted() || "error".equals(in.method());
    }

    /**
     * Dispatcher, lock held: a server request names this turn: its consumer is woken with the batch
     * whatever its budget, so that it has seen the events before the request when it is asked.
     */
    void serverRequestFor(Inbound request, Batch batch) {
        assert lock.isHeldByCurrentThread();
        String turnId = request.turnId();
        if (turnId == null) {
            return;
        }
        TurnRoute r = turns.get(turnId);
        // Only a consumer whose wake is deferred has anything waiting for it; a run() consumer
        // (COMPLETION) is still woken only at the end.
        if (r != null && r.state == TurnRoute.State.CLAIMED && r.policy == TurnMailbox.WakePolicy.EACH_BATCH
                && r.dueNanos != 0) {
            batch.wake(r);
        }
    }

    /** @return a budget in nanoseconds (capped at a day) */
    static long budgetNanos(java.time.Duration budget) {
        Objects.requireNonNull(budget, "latencyBudget");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("a latency budget cannot be negative: " + budget);
        }
        return budget.compareTo(java.time.Duration.ofDays(1)) >= 0 ? TimeUnit.DAYS.toNanos(1) : budget.toNanos();
    }

    /**
     * Consumers attached (turns) or registered (subscribers) whose budget is below
     * {@link ConnectionOptions#relaxedWindowBelowBudget()}: while there are any, the dispatcher keeps
     * its base coalescing window. Written under the lock, read by the dispatcher.
     */
    private volatile int strictConsumers;

    /** @return whether some consumer needs the base window (its budget is below the relaxed threshold) */
    boolean hasStrictConsumers() {
        return strictConsumers > 0;
    }

    private boolean strict(long budgetNanos) {
        return budgetNanos < options.relaxedWindowBelowBudget().toNanos();
    }

    /** Dispatcher, lock held: a copy of a turn's notification for its thread's subscribers that want turns too. */
    private void copyToThreadSubscribers(Inbound in, Batch batch) {
        assert lock.isHeldByCurrentThread();
        List<Subscriber> targets = threadSubscribers.get(in.threadId());
        if (targets == null) {
            return;
        }
        for (int i = 0; i < targets.size(); i++) {
            Subscriber s = targets.get(i);
            if (s.withTurns) {
                s.offerQuietly(in);
                wakeSubscriber(s, in, batch);
            }
        }
    }

    /** Lock held: delivers one message of a turn; with a null batch the consumer is woken at once. */
    private void deliver(TurnRoute r, Inbound in, long now, @Nullable Batch batch) {
        assert lock.isHeldByCurrentThread();
        boolean terminal = in.isTurnCompleted();
        long size = cost(in);
        switch (r.state) {
            case CLAIMED -> {
                if (r.terminal) {
                    stats.dropped.increment();
                    LOG.log(Level.DEBUG, () -> "Dropping " + in.method() + " of turn " + r.turnId + ": it arrived after turn/completed");
                    noteDropped(in, "it arrived after turn/completed");
                    return;
                }
                r.queue.offerQuietly(in);
                r.bytesIn += size;
                r.lastActivityNanos = now;
                if (!r.consumerAttached) {
                    r.unconsumedBytes += size;
                    unconsumedBytes += size;
                    if (unconsumedBytes > options.maxUnconsumedBytes() / 2) {
                        enforceUnconsumedBudget();
                        if (r.state != TurnRoute.State.CLAIMED) {
                            if (terminal) {
                                ended(r, now);
                            }
                            return;
                        }
                    }
                }
                if (terminal) {
                    ended(r, now);
                }
                TurnMailbox.WakePolicy policy = r.policy;
                if (policy == null) {
                    return; // nobody attached: whoever attaches drains before it parks
                }
                if (batch == null) {
                    r.signal(); // the watchdog's settle: at once
                } else if (terminal || ++r.sinceWake >= options.wakeHighWaterMark()) {
                    batch.wake(r);
                } else if (policy == TurnMailbox.WakePolicy.EACH_BATCH) {
                    if (r.budgetNanos == 0 || cannotWait(in)) {
                        batch.wake(r);
                    } else {
                        batch.wakeWithin(r);
                    }
                }
            }
            case HOLDING -> {
                if (!isStarting(r.threadId)) {
                    if (r.heldBytes + size > options.maxHeldBytesPerTurn()) {
                        discard(r, "nobody claimed it and its events passed maxHeldBytesPerTurn ("
                                + options.maxHeldBytesPerTurn() + " bytes)", now);
                    } else if (heldBytes + size > options.maxHeldBytesTotal()) {
                        makeHeldRoom(size, now);
                    }
                    if (r.state != TurnRoute.State.HOLDING) {
                        stats.dropped.increment();
                        noteDropped(in, "its turn was discarded: " + r.discardReason);
                        if (terminal) {
                            ended(r, now);
                        }
                        return;
                    }
                }
                r.queue.offerQuietly(in);
                r.heldBytes += size;
                heldBytes += size;
                r.lastActivityNanos = now;
                if (terminal) {
                    r.terminal = true;
                    r.terminalAtNanos = now;
                }
            }
            case RELEASED, DISCARDED -> {
                stats.dropped.increment();
                noteDropped(in, r.state == TurnRoute.State.RELEASED ? "its turn's consumer is gone"
                        : "its turn was discarded: " + r.discardReason);
                LOG.log(Level.DEBUG, () -> "Dropping " + in.method() + " of " + r.state + " turn " + r.turnId);
                if (terminal && !r.terminal) {
                    ended(r, now);
                }
            }
        }
    }

    /** Lock held: the turn's terminal message was routed; its thread is free again. */
    private void ended(TurnRoute r, long now) {
        assert lock.isHeldByCurrentThread();
        r.terminal = true;
        r.terminalAtNanos = now;
        Reservation res = r.reservation;
        if (res != null && !res.isReleased) {
            reservations.remove(res.threadId(), res);
            res.markReleased();
        }
    }

    /** Lock held: discards held turns that nobody is starting, largest first, until {@code size} fits. */
    private void makeHeldRoom(long size, long now) {
        assert lock.isHeldByCurrentThread();
        while (heldBytes + size > options.maxHeldBytesTotal()) {
            TurnRoute largest = null;
            for (TurnRoute t : turns.values()) {
                if (t.state == TurnRoute.State.HOLDING && !isStarting(t.threadId)
                        && (largest == null || t.heldBytes > largest.heldBytes)) {
                    largest = t;
                }
            }
            if (largest == null) {
                return; // all held bytes belong to turns being started: they are never touched
            }
            discard(largest, "nobody claimed it while turns nobody claimed held more than maxHeldBytesTotal ("
                    + options.maxHeldBytesTotal() + " bytes); it was the largest", now);
        }
    }

    /** Lock held: discards claimed turns nobody consumes, largest first, while over the budget. */
    private void enforceUnconsumedBudget() {
        assert lock.isHeldByCurrentThread();
        if (!unconsumedWarned) {
            unconsumedWarned = true;
            LOG.log(Level.WARNING, "Turns that nobody consumes hold " + unconsumedBytes + " bytes of events (the budget,"
                    + " maxUnconsumedBytes, is " + options.maxUnconsumedBytes() + "): consume turns with run() or events(),"
                    + " or close their handles; over the budget the largest are discarded");
        }
        while (unconsumedBytes > options.maxUnconsumedBytes()) {
            TurnRoute largest = null;
            for (TurnRoute t : turns.values()) {
                if (t.state == TurnRoute.State.CLAIMED && !t.consumerAttached
                        && (largest == null || t.unconsumedBytes > largest.unconsumedBytes)) {
                    largest = t;
                }
            }
            if (largest == null) {
                return;
            }
            discard(largest, "nobody consumed it while turns without a consumer held more than maxUnconsumedBytes ("
                    + options.maxUnconsumedBytes() + " bytes); it was the largest", System.nanoTime());
        }
    }

    /** Lock held: drops a turn's messages for good; its consumer will get TurnDiscardedException. */
    private void discard(TurnRoute r, String reason, long now) {
        assert lock.isHeldByCurrentThread();
        TurnRoute.State before = r.state;
        r.state = TurnRoute.State.DISCARDED;
        r.discardReason = reason;
        r.lastActivityNanos = now;
        if (before == TurnRoute.State.HOLDING) {
            heldBytes -= r.heldBytes;
            r.heldBytes = 0;
            r.queue.clear();
        } else if (before == TurnRoute.State.CLAIMED && !r.consumerAttached) {
            unconsumedBytes -= r.unconsumedBytes;
            r.unconsumedBytes = 0;
            r.queue.clear();
        }
        stats.turnsDiscarded.increment();
        discardLog.log(() -> "Discarded the events of turn " + r.turnId + ": " + reason);
        if (observed && notices.size() < MAX_NOTICES) {
            String thread = r.threadId;
            notices.add(() -> events.turnDiscarded(thread, r.turnId, reason));
        }
        r.signal();
    }

    /** Lock held: whether the thread has a turn starting (reserved, not yet claimed). */
    private boolean isStarting(@Nullable String threadId) {
        assert lock.isHeldByCurrentThread();
        if (threadId == null) {
            return false;
        }
        Reservation res = reservations.get(threadId);
        return res != null && res.route == null;
    }

    /**
     * Dispatcher, lock held: the handler of a server request. The thread's reservation's handler
     * when the request names its turn (or its turn id is not known yet), else the thread's
     * handler, else the connection's. The thread id is checked at every step: a handler never
     * answers for another thread.
     */
    ServerRequestHandler handlerFor(Inbound in) {
        assert lock.isHeldByCurrentThread();
        String threadId = in.threadId();
        String turnId = in.turnId();
        if (threadId != null) {
            Reservation res = reservations.get(threadId);
            if (res != null && res.handler() != null) {
                String claimed = res.turnId();
                if (turnId == null || claimed == null || claimed.equals(turnId)) {
                    return res.handler();
                }
            }
            ServerRequestHandler h = threadHandlers.get(threadId);
            if (h != null) {
                return h;
            }
        }
        return globalHandler;
    }

    // ================================================================ claimers and consumers

    /** @return a new reservation of the thread, or null when it has one already */
    @Nullable Reservation tryReserve(String threadId, @Nullable ServerRequestHandler handler) {
        lock.lock();
        try {
            checkOpen();
            if (reservations.containsKey(threadId)) {
                return null;
            }
            Reservation r = new Reservation(this, threadId, handler);
            reservations.put(threadId, r);
            return r;
        } finally {
            unlock();
        }
    }

    /** @return the thread's reservation, or null */
    @Nullable Reservation reservation(String threadId) {
        lock.lock();
        try {
            return reservations.get(threadId);
        } finally {
            unlock();
        }
    }

    void releaseUnclaimed(Reservation res) {
        lock.lock();
        try {
            if (!res.isReleased && res.route == null) {
                reservations.remove(res.threadId(), res);
                res.markReleased();
            }
        } finally {
            unlock();
        }
    }

    TurnMailbox claim(Reservation res, String turnId) {
        Objects.requireNonNull(turnId, "turnId");
        lock.lock();
        try {
            // No check that the connection is open: a claim after its end still gets what arrived.
            if (res.route != null) {
                throw new IllegalStateException("reservation of thread " + res.threadId() + " is already bound to turn "
                        + res.route.turnId);
            }
            if (res.isReleased) {
                if (closure.isClosed()) {
                    throw closure.exception();
                }
                throw new IllegalStateException("reservation of thread " + res.threadId() + " was released");
            }
            TurnRoute r = claimRoute(res.threadId(), turnId);
            r.reservation = res;
            res.route = r;
            if (unconsumedBytes > options.maxUnconsumedBytes()) {
                enforceUnconsumedBudget(); // what it held until now counts as unconsumed
            }
            if (r.terminal) {
                ended(r, r.terminalAtNanos); // the whole turn beat the turn/start reply
            }
            // A discarded turn is still returned: its consumer is told, and its owner can interrupt it.
            return r;
        } finally {
            unlock();
            emitNotices();
        }
    }

    /** A claim without a reservation (tests, benchmarks, turns started by someone else). */
    TurnMailbox claim(String threadId, String turnId) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(turnId, "turnId");
        lock.lock();
        try {
            TurnRoute r = claimRoute(threadId, turnId);
            if (unconsumedBytes > options.maxUnconsumedBytes()) {
                enforceUnconsumedBudget();
            }
            if (r.state == TurnRoute.State.DISCARDED) {
                throw new TurnDiscardedException(turnId, String.valueOf(r.discardReason));
            }
            return r;
        } finally {
            unlock();
            emitNotices();
        }
    }

    /** Lock held. */
    private TurnRoute claimRoute(String threadId, String turnId) {
        assert lock.isHeldByCurrentThread();
        TurnRoute r = turns.get(turnId);
        if (r == null) {
            r = new TurnRoute(this, threadId, turnId, TurnRoute.State.CLAIMED, System.nanoTime());
            turns.put(turnId, r);
            return r;
        }
        switch (r.state) {
            case HOLDING -> {
                r.state = TurnRoute.State.CLAIMED;
                r.threadId = threadId;
                heldBytes -= r.heldBytes;
                r.bytesIn = r.heldBytes;
                r.unconsumedBytes = r.heldBytes;
                unconsumedBytes += r.heldBytes;
                r.heldBytes = 0;
                if (r.countedAsHeld) {
                    r.countedAsHeld = false;
                    heldTurns--;
                }
            }
            case DISCARDED -> {
                // Stays a tombstone; the caller throws.
            }
            case CLAIMED, RELEASED -> throw new IllegalStateException("the mailbox of turn " + turnId + " is already claimed");
        }
        return r;
    }

    void attach(TurnRoute r, TurnMailbox.WakePolicy policy, long budgetNanos) {
        lock.lock();
        try {
            switch (r.state) {
                case DISCARDED -> throw new TurnDiscardedException(r.turnId, String.valueOf(r.discardReason));
                case RELEASED -> throw new IllegalStateException("the mailbox of turn " + r.turnId + " is closed");
                case HOLDING -> throw new IllegalStateException("the mailbox of turn " + r.turnId + " is not claimed");
                case CLAIMED -> { }
            }
            if (r.consumerAttached) {
                throw new IllegalStateException("turn " + r.turnId + " already has a consumer");
            }
            r.consumerAttached = true;
            r.policy = policy;
            r.budgetNanos = budgetNanos;
            r.sinceWake = 0;
            if (policy == TurnMailbox.WakePolicy.EACH_BATCH && strict(budgetNanos)) {
                strictConsumers++;
            }
            unconsumedBytes -= r.unconsumedBytes;
            r.unconsumedBytes = 0;
        } finally {
            unlock();
        }
    }

    void detach(TurnRoute r) {
        lock.lock();
        try {
            if (!r.consumerAttached) {
                return;
            }
            r.consumerAttached = false;
            if (r.policy == TurnMailbox.WakePolicy.EACH_BATCH && strict(r.budgetNanos)) {
                strictConsumers--;
            }
            r.policy = null;
            r.budgetNanos = 0;
            if (r.state == TurnRoute.State.CLAIMED) {
                long left = Math.max(0, r.bytesIn - r.bytesTaken());
                r.unconsumedBytes = left;
                unconsumedBytes += left;
            }
        } finally {
            unlock();
        }
    }

    void release(TurnRoute r) {
        lock.lock();
        try {
            releaseLocked(r);
        } finally {
            unlock();
        }
        r.signal();
    }

    /** Lock held. */
    private void releaseLocked(TurnRoute r) {
        assert lock.isHeldByCurrentThread();
        if (r.state == TurnRoute.State.RELEASED) {
            return;
        }
        TurnRoute.State before = r.state;
        r.state = TurnRoute.State.RELEASED;
        r.lastActivityNanos = System.nanoTime();
        if (before == TurnRoute.State.HOLDING) {
            heldBytes -= r.heldBytes;
            r.heldBytes = 0;
        }
        if (!r.consumerAttached) {
            unconsumedBytes -= r.unconsumedBytes;
            r.unconsumedBytes = 0;
            r.queue.clear();
        }
        if (r.consumerAttached && r.policy == TurnMailbox.WakePolicy.EACH_BATCH && strict(r.budgetNanos)) {
            strictConsumers--; // counted once: detach finds policy null
        }
        r.policy = null;
    }

    /** The watchdog: delivers a message as the server would have, waking the consumer at once. */
    boolean settle(TurnRoute r, Inbound in) {
        lock.lock();
        try {
            if (r.terminal || closure.isClosed()) {
                return false;
            }
            deliver(r, in, System.nanoTime(), null);
            return true;
        } finally {
            unlock();
            emitNotices();
        }
    }

    // ================================================================ subscriptions and handlers

    Subscription subscribeThread(String threadId, Consumer<Inbound> listener, Consumer<Subscriber> start) {
        return subscribeThread(threadId, listener, Integer.MAX_VALUE, false, 0, start);
    }

    Subscription subscribeThread(String threadId, Consumer<Inbound> listener, int capacity, boolean withTurns,
            long budgetNanos, Consumer<Subscriber> start) {
        Subscriber[] self = new Subscriber[1];
        self[0] = new Subscriber(closure, listener, () -> {
            lock.lock();
            try {
                List<Subscriber> list = threadSubscribers.get(threadId);
                if (list != null && list.remove(self[0])) {
                    unregistered(self[0]);
                    if (list.isEmpty()) {
                        threadSubscribers.remove(threadId);
                    }
                }
            } finally {
                unlock();
            }
        }, capacity, withTurns, "a subscription to thread " + threadId, budgetNanos, options.wakeHighWaterMark());
        lock.lock();
        try {
            checkOpen();
            threadSubscribers.computeIfAbsent(threadId, k -> new ArrayList<>()).add(self[0]);
            registered(self[0]);
        } finally {
            unlock();
        }
        start.accept(self[0]);
        return self[0];
    }

    /** Lock held: a subscriber joined; counted when strict. */
    private void registered(Subscriber s) {
        if (strict(s.budgetNanos)) {
            strictConsumers++;
        }
    }

    /** Lock held: a subscriber left. */
    private void unregistered(Subscriber s) {
        if (strict(s.budgetNanos)) {
            strictConsumers--;
        }
    }

    Subscription subscribeGlobal(Consumer<Inbound> listener, Consumer<Subscriber> start) {
        return subscribeGlobal(listener, Integer.MAX_VALUE, 0, start);
    }

    Subscription subscribeGlobal(Consumer<Inbound> listener, int capacity, long budgetNanos, Consumer<Subscriber> start) {
        Subscriber[] self = new Subscriber[1];
        self[0] = new Subscriber(closure, listener, () -> {
            lock.lock();
            try {
                if (globalSubscribers.remove(self[0])) {
                    unregistered(self[0]);
                }
            } finally {
                unlock();
            }
        }, capacity, false, "a subscription to the connection's notifications", budgetNanos,
                options.wakeHighWaterMark());
        lock.lock();
        try {
            checkOpen();
            globalSubscribers.add(self[0]);
            registered(self[0]);
        } finally {
            unlock();
        }
        start.accept(self[0]);
        return self[0];
    }

    void globalHandler(ServerRequestHandler handler) {
        lock.lock();
        try {
            globalHandler = handler;
        } finally {
            unlock();
        }
    }

    Subscription threadHandler(String threadId, ServerRequestHandler handler) {
        lock.lock();
        try {
            threadHandlers.put(threadId, handler);
        } finally {
            unlock();
        }
        return () -> {
            lock.lock();
            try {
                threadHandlers.remove(threadId, handler);
            } finally {
                unlock();
            }
        };
    }

    // ================================================================ sweeper, watchdog, failure

    /** Scheduler: expires held turns, forgets ended ones, discards ended turns nobody consumed. */
    void sweep(long now) {
        long ttl = options.heldMessageTtl().toNanos();
        long unconsumedTtl = options.unconsumedTtl().toNanos();
        lock.lock();
        try {
            for (Iterator<TurnRoute> it = turns.values().iterator(); it.hasNext(); ) {
                TurnRoute r = it.next();
                switch (r.state) {
                    case HOLDING -> {
                        if (now - r.createdNanos >= ttl && !isStarting(r.threadId)) {
                            discard(r, "nobody claimed it within heldMessageTtl (" + options.heldMessageTtl().toMillis()
                                    + " ms)", now);
                        }
                    }
                    case DISCARDED -> {
                        long since = r.reservation != null && r.terminal ? r.terminalAtNanos : r.lastActivityNanos;
                        if ((r.reservation == null || r.terminal) && now - since >= ttl) {
                            remove(it, r);
                        }
                    }
                    case CLAIMED -> {
                        if (!r.consumerAttached && r.ownerGone()) {
                            releaseLocked(r); // nobody can consume it any more
                            if (r.terminal && now - r.terminalAtNanos >= ttl) {
                                remove(it, r);
                            }
                        } else if (r.terminal && !r.consumerAttached && r.unconsumedBytes > 0
                                && now - r.terminalAtNanos >= unconsumedTtl) {
                            discard(r, "the turn ended and nobody consumed its events within unconsumedTtl ("
                                    + options.unconsumedTtl().toSeconds() + " s)", now);
                        } else if (r.terminal && (r.consumerAttached || r.unconsumedBytes == 0)
                                && now - r.terminalAtNanos >= ttl) {
                            remove(it, r);
                        }
                    }
                    case RELEASED -> {
                        long since = r.terminal ? r.terminalAtNanos : r.lastActivityNanos;
                        if (now - since >= ttl) {
                            remove(it, r);
                        }
                    }
                }
            }
        } finally {
            unlock();
            emitNotices();
        }
    }

    private void remove(Iterator<TurnRoute> it, TurnRoute r) {
        it.remove();
        if (r.countedAsHeld) {
            r.countedAsHeld = false;
            heldTurns--;
        }
    }

    /** @return claimed turns with a reservation that have not ended and heard nothing since {@code silentSince} */
    List<TurnMailbox> silentTurns(long silentSinceNanos) {
        List<TurnMailbox> out = new ArrayList<>();
        lock.lock();
        try {
            for (TurnRoute r : turns.values()) {
                if (r.reservation != null && !r.terminal && r.state != TurnRoute.State.HOLDING
                        && r.lastActivityNanos - silentSinceNanos <= 0) {
                    out.add(r);
                }
            }
        } finally {
            unlock();
        }
        return out;
    }

    /** After the closure is set: wakes every consumer and waiter so that each sees it. */
    void wakeAll() {
        List<Wakeable> all = new ArrayList<>();
        lock.lock();
        try {
            all.addAll(turns.values());
            all.addAll(globalSubscribers);
            threadSubscribers.values().forEach(all::addAll);
            for (Reservation r : reservations.values()) {
                r.markReleased();
            }
            reservations.clear();
        } finally {
            unlock();
        }
        for (Wakeable w : all) {
            w.signal();
        }
    }

    /** Before anything is sent (a reservation, a subscription): for a lost server, retry-safe. */
    private void checkOpen() {
        if (closure.isClosed()) {
            throw closure.exception(true);
        }
    }

    // ================================================================ gauges

    long heldBytes() {
        lock.lock();
        try {
            return heldBytes;
        } finally {
            unlock();
        }
    }

    int heldTurns() {
        lock.lock();
        try {
            return heldTurns;
        } finally {
            unlock();
        }
    }

    long unconsumedBytes() {
        lock.lock();
        try {
            return unconsumedBytes;
        } finally {
            unlock();
        }
    }

    int routes() {
        lock.lock();
        try {
            return turns.size();
        } finally {
            unlock();
        }
    }
}
