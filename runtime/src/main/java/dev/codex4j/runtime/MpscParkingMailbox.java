package dev.codex4j.runtime;

import dev.codex4j.protocol.TransportClosedException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One turn's mailbox: multi-producer single-consumer, unbounded once claimed, parking its
 * consumer. It is also the turn's routing entry, created by whoever comes first (the dispatcher
 * with the turn's first message, or the claimer), so messages that beat the claim are simply
 * already in the queue when the consumer attaches: nothing is copied or replayed.
 *
 * <p>States: {@code HOLDING} (nobody claimed it; messages counted against the held bounds) to
 * {@code CLAIMED} (one consumer) to {@code RELEASED} (consumer closed it; later messages dropped);
 * or {@code HOLDING} to {@code EXPIRED} (nobody claimed it within the TTL; removed from the
 * routing table). Transitions out of {@code HOLDING} happen under a small lock, because the
 * dispatcher's held counting and a claim or expiry must agree; a claimed mailbox is fed without
 * any lock.
 */
final class MpscParkingMailbox implements TurnMailbox {
    private static final System.Logger LOG = System.getLogger(MpscParkingMailbox.class.getName());
    static final String TURN_COMPLETED = "turn/completed";

    enum State { HOLDING, CLAIMED, RELEASED, EXPIRED }

    /** What happened to a message the dispatcher delivered. */
    enum Outcome { QUEUED, HELD, DROPPED, STALE }

    private final Connection connection;
    private final String turnId;
    private final MpscParkingQueue<Inbound> queue = new MpscParkingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final long createdNanos = System.nanoTime();
    private volatile State state = State.HOLDING;
    private volatile @Nullable String threadId;
    private volatile @Nullable ServerRequestHandler handler;
    /** Nanos when the route became removable (released, or terminal message delivered), or 0. */
    private volatile long doneNanos;
    // Guarded by lock (written only by the dispatcher while HOLDING, read by claim/expire).
    private int held;
    private int dropped;

    MpscParkingMailbox(Connection connection, @Nullable String threadId, String turnId) {
        this.connection = connection;
        this.threadId = threadId;
        this.turnId = turnId;
    }

    // ---- dispatcher side ----

    /** Dispatcher only: delivers one message of this turn. */
    Outcome deliver(Inbound in, ConnectionOptions options, HeldBudget budget) {
        boolean terminal = TURN_COMPLETED.equals(in.keys().method());
        if (state == State.CLAIMED) {
            queue.offer(in);
            if (terminal) {
                doneNanos = System.nanoTime();
            }
            return Outcome.QUEUED;
        }
        lock.lock();
        try {
            switch (state) {
                case CLAIMED -> {
                    queue.offer(in);
                    if (terminal) {
                        doneNanos = System.nanoTime();
                    }
                    return Outcome.QUEUED;
                }
                case HOLDING -> {
                    // turn/completed is kept over any bound: losing it would hang the turn's consumer.
                    if (!terminal && !connection.isStarting(in.keys().threadId())
                            && (held >= options.maxHeldMessagesPerTurn()
                            || budget.total() >= options.maxHeldMessagesTotal())) {
                        if (dropped++ == 0) {
                            LOG.log(Level.WARNING, "Dropping messages of unclaimed turn " + turnId + ": "
                                    + held + " held for it, " + budget.total() + " held in all");
                        }
                        return Outcome.DROPPED;
                    }
                    queue.offer(in);
                    held++;
                    budget.add(1);
                    return Outcome.HELD;
                }
                case RELEASED -> {
                    LOG.log(Level.DEBUG, () -> "Dropping " + in.method() + " for released turn " + turnId);
                    return Outcome.DROPPED;
                }
                default -> {
                    return Outcome.STALE;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sweeper: expires the held messages when nobody claimed them in time. */
    boolean expireIfUnclaimed(long nowNanos, Duration ttl, HeldBudget budget) {
        if (state != State.HOLDING || nowNanos - createdNanos < ttl.toNanos()) {
            return false;
        }
        int count;
        int lost;
        lock.lock();
        try {
            if (state != State.HOLDING) {
                return false;
            }
            state = State.EXPIRED;
            count = held;
            lost = dropped;
            budget.add(-held);
            held = 0;
        } finally {
            lock.unlock();
        }
        LOG.log(Level.WARNING, "Dropped " + (count + lost) + " messages of turn " + turnId
                + ": nobody claimed its mailbox within " + ttl.toMillis() + " ms");
        return true;
    }

    /** Sweeper: whether the route can leave the routing table (consumer done with it long enough). */
    boolean removable(long nowNanos, Duration ttl) {
        long done = doneNanos;
        State s = state;
        return (s == State.RELEASED || s == State.CLAIMED) && done != 0 && nowNanos - done >= ttl.toNanos();
    }

    /** Connection failure: wakes the consumer so it sees the closed connection. */
    void wake() {
        queue.wake();
    }

    @Nullable ServerRequestHandler handler() {
        return handler;
    }

    State state() {
        return state;
    }

    // ---- claimer side ----

    /**
     * @return true when claimed; false when the entry expired (the caller retries with a new one)
     * @throws IllegalStateException when someone claimed it before
     */
    boolean claim(String claimerThreadId) {
        int lost;
        lock.lock();
        try {
            switch (state) {
                case HOLDING -> {
                    state = State.CLAIMED;
                    threadId = claimerThreadId;
                    connection.heldBudget().add(-held);
                    held = 0;
                    lost = dropped;
                }
                case EXPIRED -> {
                    return false;
                }
                default -> throw new IllegalStateException("the mailbox of turn " + turnId + " is already claimed");
            }
        } finally {
            lock.unlock();
        }
        if (lost > 0) {
            LOG.log(Level.WARNING, "Turn " + turnId + " was claimed after " + lost
                    + " of its messages were dropped (held-message bounds)");
        }
        return true;
    }

    // ---- consumer side ----

    @Override
    public String threadId() {
        String t = threadId;
        return t == null ? "" : t;
    }

    @Override
    public String turnId() {
        return turnId;
    }

    @Override
    public @Nullable Inbound take(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        long deadline = nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + nanos;
        Inbound in = queue.await(deadline, this::shouldStop);
        if (in != null) {
            return in;
        }
        return emptyResult();
    }

    @Override
    public @Nullable Inbound poll() {
        checkOpen();
        Inbound in = queue.poll();
        return in != null ? in : emptyResult();
    }

    @Override
    public int drainTo(Consumer<Inbound> sink, int max) {
        Objects.requireNonNull(sink, "sink");
        checkOpen();
        int n = queue.drain(sink, max);
        if (n == 0 && max > 0) {
            emptyResult();
        }
        return n;
    }

    @Override
    public void serverRequestHandler(@Nullable ServerRequestHandler handler) {
        this.handler = handler;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.RELEASED) {
                return;
            }
            state = State.RELEASED;
            doneNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
        handler = null;
        queue.wake();
    }

    private boolean shouldStop() {
        return state == State.RELEASED || connection.closedCause() != null;
    }

    /** The queue was empty: null, or the reason there will never be more. */
    private @Nullable Inbound emptyResult() {
        checkOpen();
        if (connection.closedCause() != null) {
            // A message may have landed between our last poll and the failure; it comes first.
            Inbound last = queue.poll();
            if (last != null) {
                return last;
            }
            throw connection.closedException();
        }
        return null;
    }

    private void checkOpen() {
        if (state == State.RELEASED) {
            throw new IllegalStateException("the mailbox of turn " + turnId + " is closed");
        }
    }

    @Override
    public String toString() {
        return "MpscParkingMailbox[turn " + turnId + ", " + state + "]";
    }

    /** The count of held messages over all unclaimed turns. */
    static final class HeldBudget {
        private final java.util.concurrent.atomic.AtomicInteger total = new java.util.concurrent.atomic.AtomicInteger();

        int total() {
            return total.get();
        }

        void add(int delta) {
            total.addAndGet(delta);
        }
    }
}
