package dev.codex4j.internal.runtime;

import dev.codex4j.errors.TurnDiscardedException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One turn's routing entry and mailbox: multi-producer single-consumer, parking its consumer. It
 * is created by whichever comes first, the turn's first message or its claim, so messages that
 * beat the claim are already in the queue when the consumer attaches: nothing is copied or
 * replayed.
 *
 * <p>States: {@code HOLDING} (nobody claimed it; its bytes count against the held budget) to
 * {@code CLAIMED} (owned by one client turn) to {@code RELEASED} (the client closed it); or to
 * {@code DISCARDED} (a bound acted: its messages are gone and consuming it throws
 * {@link TurnDiscardedException}). Every field but the queue's consumer side is guarded by the
 * {@link Router}'s lock: the dispatcher writes them while it routes a batch, claimers, consumers
 * attaching or detaching, and the sweeper while they hold the lock. The few a consumer reads
 * without the lock are {@code volatile}; the consumer side of the queue and {@link #bytesTaken}
 * belong to the attached consumer alone.
 */
final class TurnRoute extends Wakeable implements TurnMailbox {
    enum State { HOLDING, CLAIMED, RELEASED, DISCARDED }

    final Router router;
    final String turnId;
    final MpscParkingQueue<Inbound> queue = new MpscParkingQueue<>();
    final long createdNanos;

    // Guarded by router.lock; volatile where the consumer reads them without it.
    volatile State state;
    volatile @Nullable String threadId;
    volatile @Nullable String discardReason;
    volatile TurnMailbox.@Nullable WakePolicy policy;
    /** Set when turn/completed was routed (or settled); never reset. */
    volatile boolean terminal;
    volatile long lastActivityNanos;
    long terminalAtNanos;
    /** Bytes counted in the held budget (HOLDING only). */
    long heldBytes;
    /** Bytes counted in the unconsumed budget (CLAIMED without a consumer). */
    long unconsumedBytes;
    /** Every byte delivered while claimed (for the unconsumed count when a consumer detaches). */
    long bytesIn;
    boolean consumerAttached;
    /** Counted in Router.heldTurns: created unclaimed and not yet claimed or removed. */
    boolean countedAsHeld;
    @Nullable Reservation reservation;
    /** The consumer-side object, held weakly (see {@link #ownedBy}). */
    volatile java.lang.ref.@Nullable WeakReference<Object> owner;

    /** The attached consumer's count of bytes it took. */
    private long bytesTaken;
    /** Consumer-confined: whether the consumer attached (the consuming methods attach by themselves). */
    private boolean attachedHere;
    /** {@link #shouldStop}, made once: a method reference per take would be an allocation per event. */
    private final java.util.function.BooleanSupplier stop = this::shouldStop;

    TurnRoute(Router router, @Nullable String threadId, String turnId, State state, long nowNanos) {
        this.router = router;
        this.threadId = threadId;
        this.turnId = turnId;
        this.state = state;
        this.createdNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
    }

    @Override
    void unparkIfWaiting() {
        queue.unparkIfWaiting();
    }

    @Override
    boolean isWaiting() {
        return queue.isWaiting();
    }

    long bytesTaken() {
        return bytesTaken;
    }

    // ---------------------------------------------------------------- consumer side

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
    public void attach(WakePolicy wakePolicy) {
        router.attach(this, Objects.requireNonNull(wakePolicy, "policy"), 0);
        attachedHere = true;
    }

    @Override
    public void attach(Duration latencyBudget) {
        router.attach(this, WakePolicy.EACH_BATCH, Router.budgetNanos(latencyBudget));
        attachedHere = true;
    }

    @Override
    public Duration latencyBudget() {
        return Duration.ofNanos(budgetNanos);
    }

    @Override
    public void detach() {
        attachedHere = false;
        router.detach(this);
    }

    /** A consumer that takes without attaching first is attached for every batch. */
    private void ensureAttached(WakePolicy wakePolicy) {
        if (!attachedHere && state == State.CLAIMED) {
            attach(wakePolicy);
        }
    }

    @Override
    public @Nullable Inbound take(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return takeBy(nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos);
    }

    @Override
    public @Nullable Inbound takeBy(long deadlineNanos) throws InterruptedException {
        checkUsable();
        ensureAttached(WakePolicy.EACH_BATCH);
        Inbound in = queue.await(deadlineNanos, stop);
        if (in != null && !router.closure().byClient()) {
            bytesTaken += Router.cost(in);
            return in;
        }
        return emptyResult();
    }

    @Override
    public boolean awaitReady(long deadlineNanos) throws InterruptedException {
        checkUsable();
        ensureAttached(WakePolicy.COMPLETION);
        int hwm = router.options().wakeHighWaterMark();
        boolean ready = queue.awaitUntil(deadlineNanos,
                () -> (terminal && !queue.isEmpty()) || queue.size() >= hwm, stop);
        if (ready) {
            return true;
        }
        if (shouldStop()) {
            if (!queue.isEmpty() && !router.closure().byClient() && state == State.CLAIMED) {
                return true; // what arrived before the peer went away still comes first
            }
            emptyResult();
        }
        return false;
    }

    @Override
    public @Nullable Inbound poll() {
        checkUsable();
        ensureAttached(WakePolicy.EACH_BATCH);
        Inbound in = router.closure().byClient() ? null : queue.poll();
        if (in != null) {
            bytesTaken += Router.cost(in);
            return in;
        }
        return emptyResult();
    }

    @Override
    public int drainTo(Consumer<Inbound> sink, int max) {
        Objects.requireNonNull(sink, "sink");
        checkUsable();
        ensureAttached(WakePolicy.EACH_BATCH);
        if (router.closure().byClient()) {
            emptyResult();
            return 0;
        }
        int n = queue.drain(in -> {
            bytesTaken += Router.cost(in);
            sink.accept(in);
        }, max);
        if (n == 0 && max > 0) {
            emptyResult();
        }
        return n;
    }

    @Override
    public boolean terminalReceived() {
        return terminal;
    }

    @Override
    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    @Override
    public boolean settle(Inbound in) {
        return router.settle(this, in);
    }

    @Override
    public void ownedBy(Object owner) {
        this.owner = new java.lang.ref.WeakReference<>(Objects.requireNonNull(owner, "owner"));
    }

    /** Whether an owner was set and has been collected. */
    boolean ownerGone() {
        java.lang.ref.WeakReference<Object> o = owner;
        return o != null && o.get() == null;
    }

    @Override
    public void close() {
        router.release(this);
    }

    private boolean shouldStop() {
        return state != State.CLAIMED || router.closure().isClosed();
    }

    /** The queue was empty (or must not be read): null, or the reason there will never be more. */
    private @Nullable Inbound emptyResult() {
        checkUsable();
        if (router.closure().isClosed()) {
            if (!router.closure().byClient()) {
                // A message may have landed between our last poll and the failure; it comes first.
                Inbound last = queue.poll();
                if (last != null) {
                    bytesTaken += Router.cost(last);
                    return last;
                }
            }
            throw router.closure().exception();
        }
        return null;
    }

    private void checkUsable() {
        State s = state;
        if (s == State.RELEASED) {
            throw new IllegalStateException("the mailbox of turn " + turnId + " is closed");
        }
        if (s == State.DISCARDED) {
            throw new TurnDiscardedException(turnId, String.valueOf(discardReason));
        }
    }

    @Override
    public String toString() {
        return "TurnRoute[turn " + turnId + ", thread " + threadId + ", " + state + (terminal ? ", ended" : "") + "]";
    }
}
