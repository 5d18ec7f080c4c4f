package dev.codex4j;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadGoal;
import dev.codex4j.protocol.types.ThreadGoalSetParams;
import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.TurnInterruptParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A thread goal run as one logical run ({@link CodexThread#startGoal}): the server starts
 * continuation turns by itself while the goal is active; this folds each of them into a
 * {@link RunResult} (items, usage, cost, status) until the goal leaves {@code active}
 * ({@code complete}, {@code budgetLimited}, {@code paused}, ...) and no turn of it is running.
 * Approvals and tool calls of these turns go to the client's handler (they have no turn handler of
 * their own).
 *
 * <p>A subscription to the thread (its turns included), opened before {@code thread/goal/set} is
 * sent, feeds it: the fold of each turn runs on the subscription's virtual thread; {@link #await}
 * waits under this object's lock. Close it (or let {@code await} end) to stop listening.
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
    private final Subscription subscription;

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
            if (Session.typed(in) instanceof ServerNotification.ThreadGoalUpdated u) {
                update(u.params().goal(), false);
            }
            return;
        }
        if (ServerNotification.ThreadGoalCleared.METHOD.equals(method)) {
            update(null, true);
            return;
        }
        String turnId = in.turnId();
        if (turnId == null) {
            return;
        }
        TurnFold fold = folds.computeIfAbsent(turnId, id -> {
            lock.lock();
            try {
                runningTurn = id;
            } finally {
                lock.unlock();
            }
            return new TurnFold(id, System.nanoTime(), null, thread.session().options().usage().prices());
        });
        fold.accept(in);
        RunResult r = fold.result();
        if (r != null) {
            folds.remove(turnId);
            thread.session().spending().add(thread.id(), r);
            lock.lock();
            try {
                turns.add(r);
                if (turnId.equals(runningTurn)) {
                    runningTurn = null;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void update(@Nullable ThreadGoal g, boolean clear) {
        lock.lock();
        try {
            if (g != null) {
                goal = g;
            }
            cleared |= clear;
            changed.signalAll();
        } finally {
            lock.unlock();
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
            return new GoalResult(List.copyOf(turns), goal, cleared, interrupted);
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
        update(g, false);
        if (turn != null) {
            try {
                thread.session().callOn(connection, ClientMethods.TURN_INTERRUPT,
                        TurnInterruptParams.builder().threadId(thread.id()).turnId(turn).build());
            } catch (dev.codex4j.errors.CodexRpcException e) {
                // it ended meanwhile
            }
        }
    }

    /** Stops listening (the goal goes on on the server; see {@link #interrupt()}). Idempotent. */
    @Override
    public void close() {
        subscription.close();
    }
}
