package dev.codex4j;

import dev.codex4j.internal.sdk.ApprovalReplies;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A server request waiting in an {@link ApprovalInbox} for someone to answer it. It settles
 * exactly once: {@link #resolve(Decision)} by anyone, {@link State#EXPIRED} with
 * {@link Decision#refuse()} at its deadline, or {@link State#CANCELLED} when the server resolves
 * the request itself ({@code serverRequest/resolved}), its turn ends or is interrupted, or the
 * client closes (a cancelled approval's reply, if any is still sent, is the refusal, which the
 * server ignores). Thread-safe; its state is its own, set by whichever of those comes first.
 *
 * <pre>{@code
 * PendingApproval p = inbox.poll(Duration.ofSeconds(30)).orElseThrow();
 * if (p.request() instanceof ApprovalRequest.Command c && c.command().endsWith("'ls'")) {
 *     boolean sent = p.resolve(Decision.accept());   // false: it had expired or been cancelled
 * }
 * }</pre>
 */
public final class PendingApproval {

    /** Where a pending approval is in its life. */
    public enum State {
        /** Waiting for an answer. */
        PENDING,
        /** Answered with {@link #resolve(Decision)}. */
        RESOLVED,
        /** Nobody answered before the deadline; answered with {@link Decision#refuse()}. */
        EXPIRED,
        /** Settled without an answer from here: see {@link #reason()}. */
        CANCELLED
    }

    record Outcome(State state, @Nullable Decision decision, String reason) {}

    /**
     * Where a settlement is decided: the inbox's own memory (always yes), or its
     * {@link ApprovalStore}, where one settlement wins across every instance.
     */
    interface Arbiter {
        /** @return true when this settlement won (the approval was pending everywhere) */
        boolean claim(PendingApproval p, Outcome o);

        /** @return the settlement that won instead, or null when it cannot be read now */
        @Nullable Outcome winner(PendingApproval p);

        /** Always wins: no store. */
        Arbiter LOCAL = new Arbiter() {
            @Override
            public boolean claim(PendingApproval p, Outcome o) {
                return true;
            }

            @Override
            public @Nullable Outcome winner(PendingApproval p) {
                return null;
            }
        };
    }

    private final String id;
    private final long seq;
    private final Arbiter arbiter;
    private final String requestId;
    private final ApprovalRequest request;
    private final Instant receivedAt;
    private final Instant deadline;
    private final long deadlineNanos;
    private final Runnable onSettled;
    private final AtomicReference<@Nullable Outcome> outcome = new AtomicReference<>();
    /**
     * Orders its addition to a shared store against a settlement: whichever comes first decides
     * whether the store ever sees it ({@link ApprovalInbox}). Guards the two flags below.
     */
    final java.util.concurrent.locks.ReentrantLock storeLock = new java.util.concurrent.locks.ReentrantLock();
    /** In the store: settlements go through it. */
    boolean inStore;
    /** Settled before it reached the store: it is never added. */
    boolean settledBeforeStore;
    private final CountDownLatch settled = new CountDownLatch(1);

    PendingApproval(String id, long seq, String requestId, ApprovalRequest request, Duration timeout, Arbiter arbiter,
            Runnable onSettled) {
        this.id = id;
        this.seq = seq;
        this.arbiter = arbiter;
        this.requestId = requestId;
        this.request = request;
        this.receivedAt = Instant.now();
        this.deadline = receivedAt.plus(timeout);
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.onSettled = onSettled;
    }

    /** @return its id in its inbox (unique there, whichever client the request came from) */
    public String id() {
        return id;
    }

    /** @return the JSON-RPC id of the server's request, as text */
    public String requestId() {
        return requestId;
    }

    /** @return the thread it is about, or null for a request that names none */
    public @Nullable String threadId() {
        return request.threadId();
    }

    /** @return the turn it is about, or null */
    public @Nullable String turnId() {
        return request.turnId();
    }

    /** @return what the server asks, typed */
    public ApprovalRequest request() {
        return request;
    }

    /** @return when it arrived */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** @return when it expires and is refused if nobody answered */
    public Instant deadline() {
        return deadline;
    }

    /** @return where it is now */
    public State state() {
        Outcome o = outcome.get();
        return o == null ? State.PENDING : o.state();
    }

    /** @return the decision sent (the refusal for an expired one), or empty while pending or when cancelled */
    public Optional<Decision> decision() {
        Outcome o = outcome.get();
        return o == null ? Optional.empty() : Optional.ofNullable(o.decision());
    }

    /** @return why it is no longer pending ({@code "resolved"}, {@code "expired"}, or the cancellation's cause), or empty */
    public Optional<String> reason() {
        Outcome o = outcome.get();
        return o == null ? Optional.empty() : Optional.of(o.reason());
    }

    /**
     * Answers the request, if it is still pending. Returns at once; the reply is sent by the SDK.
     *
     * @param decision the answer (it must fit the request, see {@link ApprovalRequest#availableDecisions()};
     *     {@link Decision#refuse()} always does)
     * @return true when this call answered it; false when it had already been resolved, had
     *     expired or been cancelled (nothing is sent); with a shared {@link ApprovalStore}, false
     *     also when another instance settled it first (its decision is the one sent)
     * @throws IllegalArgumentException when the decision does not fit the request (nothing is
     *     settled: it stays pending)
     * @throws dev.codex4j.errors.CodexException when the shared store cannot be reached (it stays pending)
     */
    public boolean resolve(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        String problem = ApprovalReplies.problem(request, decision);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return settle(new Outcome(State.RESOLVED, decision, "resolved"));
    }

    /** Any thread: cancels it unless settled. */
    boolean cancel(String reason) {
        return settle(new Outcome(State.CANCELLED, null, reason));
    }

    /**
     * Settles it here and in the arbiter: the arbiter's word decides (one settlement wins across
     * instances); a loser takes the winner's outcome.
     */
    private boolean settle(Outcome o) {
        if (outcome.get() != null) {
            return false;
        }
        if (!arbiter.claim(this, o)) {
            Outcome won = arbiter.winner(this);
            if (won != null) {
                adopt(won);
            }
            return false;
        }
        adopt(o);
        return true;
    }

    /** Any thread: takes an outcome decided already (here, or by another instance through the store). */
    boolean adopt(Outcome o) {
        if (!outcome.compareAndSet(null, o)) {
            return false;
        }
        settled.countDown();
        onSettled.run();
        return true;
    }

    /** @return its number in its inbox (the order of arrival) */
    long seq() {
        return seq;
    }

    /**
     * The request's handler thread: waits until it is settled or the deadline passes (then it
     * expires with the refusal).
     *
     * @return the decision to send ({@link Decision#refuse()} when expired or cancelled)
     */
    Decision await() throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !settled.await(left, TimeUnit.NANOSECONDS)) {
            Outcome expired = new Outcome(State.EXPIRED, Decision.refuse(), "expired");
            if (!settle(expired) && outcome.get() == null) {
                adopt(expired); // the store won't say who won: fail closed
            }
        }
        Outcome o = Objects.requireNonNull(outcome.get());
        return o.decision() != null ? o.decision() : Decision.refuse();
    }

    /** @return the nanoTime of the deadline */
    long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public String toString() {
        return "PendingApproval[" + id + ", " + request.method() + ", thread " + threadId() + ", turn " + turnId()
                + ", " + state() + "]";
    }
}
