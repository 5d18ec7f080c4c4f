package dev.codex4j.internal.sdk;

import dev.codex4j.Budget;
import dev.codex4j.Cost;
import dev.codex4j.errors.BudgetExceededException;
import dev.codex4j.PriceTable;
import dev.codex4j.RunResult;
import dev.codex4j.Spend;
import dev.codex4j.TokenCount;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A client's spend, in total and per thread id: each turn's result is added once, by the consumer
 * that folds its end (TurnHandle). Thread-safe (an atomic reference and a concurrent map, updated
 * lock-free); one entry per thread id that ran a turn on this client, until the thread is archived
 * or unsubscribed through this client ({@link #forget}), which trims it (the client's total keeps it).
 */
public final class Spending {
    private final Spend none;
    private final AtomicReference<Spend> client;
    private final Map<String, Spend> threads = new ConcurrentHashMap<>();
    private final @Nullable Budget clientBudget;
    private final Map<String, Budget> threadBudgets = new ConcurrentHashMap<>();

    /**
     * @param prices the client's prices, or null (every cost is then unknown)
     * @param clientBudget the client's budget, or null
     */
    public Spending(@Nullable PriceTable prices, @Nullable Budget clientBudget) {
        this.clientBudget = clientBudget;
        this.none = prices == null ? new Spend(0, TokenCount.ZERO, new Cost.Unknown("not priced (no PriceTable)"))
                : Spend.none(prices.currency());
        this.client = new AtomicReference<>(none);
    }

    /**
     * The latest turns added, so that a turn folded twice (a goal run's fold and an adopted turn's
     * handle, {@code CodexThread.followServerTurns}) counts once.
     */
    private final java.util.Set<String> counted = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<String, Boolean>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 4096;
                }
            }));

    /** Adds one turn's result, once per turn id (of the latest 4,096). */
    public void add(String threadId, RunResult r) {
        if (!counted.add(r.turnId())) {
            return;
        }
        client.updateAndGet(s -> s.plus(r));
        threads.compute(threadId, (id, s) -> (s == null ? none : s).plus(r));
    }

    /**
     * Forgets a thread (archived or unsubscribed through this client): its spend and budget go; the
     * client's total keeps what its turns spent.
     *
     * @param threadId the thread
     */
    public void forget(String threadId) {
        threads.remove(threadId);
        threadBudgets.remove(threadId);
    }

    /** @return how many threads have a spend or a budget on this client */
    public int threadsKnown() {
        java.util.Set<String> ids = new java.util.HashSet<>(threads.keySet());
        ids.addAll(threadBudgets.keySet());
        return ids.size();
    }

    /** Sets (or, with null, removes) a thread's budget. */
    public void threadBudget(String threadId, @Nullable Budget budget) {
        if (budget == null) {
            threadBudgets.remove(threadId);
        } else {
            threadBudgets.put(threadId, budget);
        }
    }

    /** @return the thread's budget, or null */
    public @Nullable Budget threadBudget(String threadId) {
        return threadBudgets.get(threadId);
    }

    /** @return whether a turn of this thread runs on a budget (the client's or the thread's) */
    public boolean hasBudget(String threadId) {
        return clientBudget != null || threadBudgets.containsKey(threadId);
    }

    /**
     * Before a turn is sent.
     *
     * @throws BudgetExceededException when the client's or the thread's budget is reached
     */
    public void checkBefore(String threadId) {
        String why = overBy(threadId, NOTHING);
        if (why != null) {
            throw new BudgetExceededException(why.startsWith("client") ? "client" : "thread " + threadId,
                    why + "; the turn was not started");
        }
    }

    /**
     * @param threadId the thread of a turn about to start (or one the server just started)
     * @return why a budget is already reached, or null when none is
     */
    public @Nullable String overBefore(String threadId) {
        return overBy(threadId, NOTHING);
    }

    private static final Spend NOTHING = new Spend(0, TokenCount.ZERO, Cost.zero(""));

    /**
     * @param threadId the thread of a turn in flight
     * @param inFlight what the turn spent so far (NOTHING before it starts)
     * @return why a budget is reached with it, or null when none is
     */
    public @Nullable String overBy(String threadId, Spend inFlight) {
        Budget t = threadBudgets.get(threadId);
        if (t != null) {
            Spend s = add(thread(threadId), inFlight);
            if (t.reachedBy(s)) {
                return "thread " + threadId + "'s budget " + t + " is reached: " + s;
            }
        }
        if (clientBudget != null) {
            Spend s = add(client(), inFlight);
            if (clientBudget.reachedBy(s)) {
                return "client's budget " + clientBudget + " is reached: " + s;
            }
        }
        return null;
    }

    private static Spend add(Spend spent, Spend inFlight) {
        return inFlight == NOTHING ? spent : spent.plus(inFlight);
    }

    /** @return the client's spend */
    public Spend client() {
        return client.get();
    }

    /** @return the thread's spend on this client */
    public Spend thread(String threadId) {
        return threads.getOrDefault(threadId, none);
    }
}
