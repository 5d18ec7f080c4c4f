package dev.codex4j.internal.sdk;

import dev.codex4j.Cost;
import dev.codex4j.PriceTable;
import dev.codex4j.Spend;
import dev.codex4j.TokenCount;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.protocol.methods.ServerNotification;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Watches one turn on a budget while it runs: a subscription to the thread (its turns' copies
 * included), opened before {@code turn/start} is sent, reads each {@code thread/tokenUsage/updated}
 * (one per model call) and, when the spend with the turn's tokens so far reaches a budget, stops the
 * turn once (the callback interrupts it). It ends itself at the turn's {@code turn/completed}, or
 * when closed. Opened only for turns that run on a budget: it costs a virtual thread and a copy of
 * each of the turn's notifications, most of which it only compares by method name.
 *
 * <p><b>The verdict is the watch's, and the result waits for it.</b> The watch and the turn's
 * consumer ({@link TurnFold}) read the same usage updates on two threads. The fold, when it folds
 * the turn's {@code turn/completed}, asks {@link #verdict} with the number of usage updates it
 * folded, and waits (bounded) until the watch has judged that many: so a crossing the watch sees on
 * any of the turn's updates is in the result, however the two threads are scheduled (and the turn's
 * own result, which the consumer adds to the spend after that, is never counted twice by the watch).
 * Before the turn's id is known ({@code turn/start} not answered yet) updates are judged per turn id
 * as they come; after it, other turns of the thread (started by the server) are ignored.
 *
 * <p>The listener runs on the subscription's own virtual thread; {@link #attach} on the turn
 * starter's; {@link #verdict} on the turn's consumer's; they meet under this object's monitor.
 */
public final class BudgetWatch implements AutoCloseable {
    /** How long a consumer waits for the watch to judge the updates it folded (the watch is normally microseconds behind). */
    private static final Duration VERDICT_PATIENCE = Duration.ofSeconds(5);

    /** One turn id's updates as the watch judged them. */
    private static final class Judged {
        /** Owned by the listener. */
        final UsageMeter meter = new UsageMeter();
        /** Guarded by the watch's monitor. */
        int updates;
        @Nullable String exceeded;
    }

    private final String threadId;
    private final Spending spending;
    private final @Nullable String model;
    private final @Nullable PriceTable prices;
    /** By turn id (one, but for server-started turns seen before the turn's id is known); guarded by this. */
    private final Map<String, Judged> judged = new HashMap<>();
    private final Subscription subscription;
    private @Nullable String turnId;
    private @Nullable Consumer<String> stop;
    private boolean stopped;
    private boolean ended;
    /** Turns whose {@code turn/completed} came before the turn's id was known; guarded by this. */
    private final java.util.Set<String> completedEarly = new java.util.HashSet<>();

    /**
     * Opens the watch on the connection the turn is sent on.
     *
     * @param connection the turn's connection
     * @param threadId the thread
     * @param spending the client's spending and budgets
     * @param model the turn's model, or null
     * @param prices the client's prices, or null
     */
    public BudgetWatch(Connection connection, String threadId, Spending spending, @Nullable String model,
            @Nullable PriceTable prices) {
        this.threadId = threadId;
        this.spending = spending;
        this.model = model;
        this.prices = prices;
        this.subscription = connection.subscribeThread(threadId, this::accept, Integer.MAX_VALUE, true);
    }

    private void accept(Inbound in) {
        String turn = in.turnId();
        if (turn == null) {
            return;
        }
        String method = in.method();
        if (ServerNotification.TurnCompleted.METHOD.equals(method)) {
            synchronized (this) {
                if (turnId == null) {
                    completedEarly.add(turn); // attach() learns whether it was this watch's turn
                    return;
                }
                if (!turn.equals(turnId)) {
                    return;
                }
                ended = true;
                notifyAll();
            }
            subscription.close();
            return;
        }
        if (!ServerNotification.ThreadTokenUsageUpdated.METHOD.equals(method)) {
            return;
        }
        Judged j;
        synchronized (this) {
            if (turnId != null && !turnId.equals(turn)) {
                return; // a turn the server started on the thread: not this watch's
            }
            j = judged.computeIfAbsent(turn, t -> new Judged());
        }
        String why = judge(j, in);
        Consumer<String> s = null;
        synchronized (this) {
            if (why != null && j.exceeded == null) {
                j.exceeded = "the turn crossed the " + why;
                if (turn.equals(turnId) && stop != null && !stopped) {
                    stopped = true;
                    s = stop;
                }
            }
            j.updates++; // judged: a consumer waiting for this many may go on
            notifyAll();
        }
        if (s != null) {
            s.accept(j.exceeded);
        }
    }

    /** On the listener's thread: why a budget is reached with the turn's tokens after this update, or null. */
    private @Nullable String judge(Judged j, Inbound in) {
        if (!(Session.typed(in) instanceof ServerNotification.ThreadTokenUsageUpdated u)) {
            return null;
        }
        try {
            j.meter.add(u.params().tokenUsage());
        } catch (RuntimeException e) {
            return null; // does not bind (a newer server): the turn's consumer says so; the budget cannot count it
        }
        TokenCount t = j.meter.turn();
        if (t == null) {
            return null;
        }
        Cost c = prices == null ? new Cost.Unknown("not priced (no PriceTable)") : prices.costOf(model, t);
        return spending.overBy(threadId, new Spend(1, t, c));
    }

    /**
     * The turn started: from now on a crossing stops it through {@code stop} (at once, if it
     * already crossed).
     *
     * @param turnId the turn's id
     * @param stopTurn interrupts the turn
     */
    public void attach(String turnId, Consumer<String> stopTurn) {
        String why;
        boolean over;
        synchronized (this) {
            this.turnId = turnId;
            over = completedEarly.contains(turnId);
            ended |= over;
            completedEarly.clear();
            stop = stopTurn;
            judged.keySet().retainAll(java.util.Set.of(turnId));
            Judged j = judged.get(turnId);
            why = j != null && j.exceeded != null && !stopped ? j.exceeded : null;
            stopped |= why != null;
            notifyAll();
        }
        if (over) {
            subscription.close();
        }
        if (why != null) {
            stopTurn.accept(why);
        }
    }

    /**
     * On the turn's consumer, when it folds the turn's end: waits until the watch has judged
     * {@code usageUpdates} usage updates of the turn (bounded; not at all once the watch ended or
     * was closed), and says whether the turn crossed a budget.
     *
     * @param turnId the turn
     * @param usageUpdates how many {@code thread/tokenUsage/updated} of the turn the consumer folded
     * @return why the turn crossed a budget, or null when it did not
     */
    public synchronized @Nullable String verdict(String turnId, int usageUpdates) {
        Deadline deadline = Deadline.after(VERDICT_PATIENCE);
        Judged j = judged.get(turnId);
        while (!ended && (j == null || j.updates < usageUpdates) && !deadline.isExpired()) {
            try {
                long ms = Math.max(1, deadline.remaining().toMillis());
                wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            j = judged.get(turnId);
        }
        return j == null ? null : j.exceeded;
    }

    /** Stops watching (a turn that failed to start, or one that ended). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            ended = true;
            notifyAll();
        }
        subscription.close();
    }
}
