package dev.codex4j;

import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.errors.CodexException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Approvals answered later, by anyone: instead of a synchronous {@link ApprovalHandler}, each
 * server request of the clients built with {@link CodexBuilder#approvalInbox(ApprovalInbox)}
 * becomes a {@link PendingApproval} here, which any thread can {@link #list()},
 * {@link #poll(Duration) poll} and {@link PendingApproval#resolve(Decision) resolve} (a web
 * request, a chat message). The turn waits for the answer; at the inbox's deadline the request is
 * refused ({@link Decision#refuse()}, fail closed). A turn's own
 * {@link TurnOptions.Builder#approvalHandler(ApprovalHandler)} still takes that turn's requests.
 *
 * <p>Threads: the SDK adds a request on that request's own virtual thread
 * ({@code codex4j-server-request}), which then waits for the answer; nothing waits on the
 * dispatcher. The inbox owns the set of pending approvals; each {@link PendingApproval} owns its
 * own state, settled once by whoever comes first. One inbox may serve several clients.
 *
 * <pre>{@code
 * ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMinutes(5));
 * Codex codex = Codex.builder().approvalInbox(inbox).build();
 * // elsewhere, for example in a web handler:
 * for (PendingApproval p : inbox.list()) {
 *     System.out.println(p.id() + ": " + p.request());
 * }
 * inbox.get(id).ifPresent(p -> p.resolve(Decision.accept()));
 * }</pre>
 */
public final class ApprovalInbox {
    /** The deadline of {@link #create()}. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

    private final Duration deadline;
    private final AtomicLong ids = new AtomicLong();
    /** Pending approvals by id; an approval removes itself when it settles. */
    private final ConcurrentHashMap<String, PendingApproval> pending = new ConcurrentHashMap<>();
    /** Approvals not yet handed out by poll, oldest first (settled ones are skipped there). */
    private final LinkedBlockingQueue<PendingApproval> fresh = new LinkedBlockingQueue<>();

    private ApprovalInbox(Duration deadline) {
        this.deadline = deadline;
    }

    /** @return an inbox whose approvals expire after {@link #DEFAULT_DEADLINE} (10 minutes) */
    public static ApprovalInbox create() {
        return new ApprovalInbox(DEFAULT_DEADLINE);
    }

    /**
     * @param deadline how long a request waits for an answer before it is refused; positive
     * @return an inbox
     */
    public static ApprovalInbox create(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive: " + deadline);
        }
        return new ApprovalInbox(deadline);
    }

    /** @return how long a request waits for an answer */
    public Duration deadline() {
        return deadline;
    }

    /** @return the approvals pending now, oldest first (a snapshot) */
    public List<PendingApproval> list() {
        return pending.values().stream().sorted(Comparator.comparingLong(p -> Long.parseLong(p.id().substring(1))))
                .toList();
    }

    /** @return the pending approval with this id, or empty (unknown, or no longer pending) */
    public Optional<PendingApproval> get(String id) {
        return Optional.ofNullable(pending.get(Objects.requireNonNull(id, "id")));
    }

    /**
     * Waits for the oldest approval that no poll has returned yet and that is still pending.
     *
     * @param timeout how long to wait
     * @return the approval, or empty when none came in time
     * @throws CodexException when the waiting thread is interrupted (its interrupt flag is set)
     */
    public Optional<PendingApproval> poll(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                PendingApproval p = fresh.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (p == null) {
                    return Optional.empty();
                }
                if (p.state() == PendingApproval.State.PENDING) {
                    return Optional.of(p);
                }
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("an approval in the inbox", e);
        }
    }

    /**
     * The request's handler thread: a new pending approval, not listed yet ({@link #publish}
     * lists it once whatever can cancel it is in place).
     */
    PendingApproval create(String requestId, ApprovalRequest request) {
        String id = "a" + ids.incrementAndGet();
        PendingApproval[] self = new PendingApproval[1];
        PendingApproval p = new PendingApproval(id, requestId, request, deadline, () -> {
            pending.remove(id);
            fresh.remove(self[0]);
        });
        self[0] = p;
        return p;
    }

    /** The request's handler thread: lists the approval (unless it settled already). */
    void publish(PendingApproval p) {
        pending.put(p.id(), p);
        fresh.add(p);
        if (p.state() != PendingApproval.State.PENDING) {
            // settled meanwhile: its removal may have run before the put
            pending.remove(p.id());
            fresh.remove(p);
        }
    }

    @Override
    public String toString() {
        return "ApprovalInbox[" + pending.size() + " pending, deadline " + deadline + "]";
    }
}
