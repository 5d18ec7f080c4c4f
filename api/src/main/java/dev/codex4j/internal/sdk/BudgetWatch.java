package dev.codex4j.internal.sdk;

import dev.codex4j.Cost;
import dev.codex4j.PriceTable;
import dev.codex4j.Spend;
import dev.codex4j.TokenCount;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.protocol.methods.ServerNotification;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Watches one turn on a budget while it runs: a subscription to the thread (its turns' copies
 * included), opened before {@code turn/start} is sent, reads each {@code thread/tokenUsage/updated}
 * (one per model call) and, when the spend with the turn's tokens so far reaches a budget, stops the
 * turn once (the callback marks the result and interrupts). It ends itself at the thread's
 * {@code turn/completed}, or when closed. Opened only for turns that run on a budget: it costs a
 * virtual thread and a copy of each of the turn's notifications, most of which it only compares
 * by method name.
 *
 * <p>The listener runs on the subscription's own virtual thread; {@link #attach} on the turn
 * starter's; the two meet under this object's monitor.
 */
public final class BudgetWatch implements AutoCloseable {
    private final String threadId;
    private final Spending spending;
    private final @Nullable String model;
    private final @Nullable PriceTable prices;
    /** Owned by the listener. */
    private final UsageMeter meter = new UsageMeter();
    private final Subscription subscription;
    private @Nullable Consumer<String> stop;
    private @Nullable String exceeded;
    private boolean stopped;

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
        String method = in.method();
        if (ServerNotification.TurnCompleted.METHOD.equals(method)) {
            subscription.close();
            return;
        }
        if (!ServerNotification.ThreadTokenUsageUpdated.METHOD.equals(method)) {
            return;
        }
        if (!(Session.typed(in) instanceof ServerNotification.ThreadTokenUsageUpdated u)) {
            return;
        }
        try {
            meter.add(u.params().tokenUsage());
        } catch (RuntimeException e) {
            return; // does not bind (a newer server): the turn's consumer says so; the budget cannot count it
        }
        TokenCount t = meter.turn();
        if (t == null) {
            return;
        }
        Cost c = prices == null ? new Cost.Unknown("not priced (no PriceTable)") : prices.costOf(model, t);
        String why = spending.overBy(threadId, new Spend(1, t, c));
        if (why != null) {
            fire("the turn crossed the " + why);
        }
    }

    private void fire(String why) {
        Consumer<String> s;
        synchronized (this) {
            if (exceeded != null) {
                return;
            }
            exceeded = why;
            s = stop;
            if (s == null) {
                return; // the turn's handle does not exist yet: attach() stops it
            }
            stopped = true;
        }
        s.accept(why);
    }

    /**
     * The turn started: from now on a crossing stops it through {@code stop} (at once, if it
     * already crossed).
     *
     * @param stopTurn marks the result and interrupts the turn
     */
    public void attach(Consumer<String> stopTurn) {
        String why;
        synchronized (this) {
            stop = stopTurn;
            why = exceeded != null && !stopped ? exceeded : null;
            stopped |= why != null;
        }
        if (why != null) {
            stopTurn.accept(why);
        }
    }

    /** Stops watching (a turn that failed to start). Idempotent. */
    @Override
    public void close() {
        subscription.close();
    }
}
