package dev.codex4j;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where an {@link ApprovalInbox} shares its approvals with the other instances of a backend (an
 * SPI). Without a store, an inbox keeps its approvals in its own memory (the default): only the
 * instance that received a request can list or resolve it. With one (for example
 * {@code dev.codex4j.jdbc.JdbcApprovalStore} on PostgreSQL), any instance lists and resolves any
 * approval, and the instance holding the server's request applies the decision.
 *
 * <p>What a store must guarantee, whatever keeps it:
 * <ul>
 *   <li>{@link #settle} moves an approval out of {@code PENDING} at most once across every
 *       instance sharing the store (a conditional update or a unique constraint, never timing), and
 *       refuses {@code RESOLVED} once its deadline has passed by the store's clock;
 *   <li>each instance holds a lease ({@link #renewLease()}), and approvals of an instance whose lease
 *       has expired are settled {@code CANCELLED} before {@link #pending()} answers;
 *   <li>it keeps only what {@link StoredApproval} holds: the kind, ids, a summary and the offered
 *       decisions, never the request's params, tokens or credentials.
 * </ul>
 *
 * <p>Threads: the inbox calls it from the request's handler thread (add, settle), from whoever
 * lists or resolves, and from its own poller ({@code codex4j-approval-store}: settled, renewLease).
 * Implementations are thread-safe and may block (they do I/O).
 *
 * <pre>{@code
 * ApprovalInbox inbox = ApprovalInbox.builder()
 *         .store(JdbcApprovalStore.builder(dataSource).build())
 *         .deadline(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 */
public interface ApprovalStore extends AutoCloseable {

    /** @return this instance's name in the store: the owner of the approvals it adds (unique per instance) */
    String owner();

    /** @return how long this instance's lease lasts unrenewed; the inbox renews it every third of that */
    Duration leaseTtl();

    /**
     * Adds a pending approval owned by {@link #owner()}. Its deadline is {@code approval.deadline()
     * - approval.receivedAt()} from now by the store's clock.
     *
     * @param approval the approval, {@code PENDING}
     */
    void add(StoredApproval approval);

    /**
     * Settles an approval if it is still pending: exactly one call succeeds, across every instance.
     *
     * @param id the approval
     * @param state {@code RESOLVED}, {@code EXPIRED} or {@code CANCELLED}
     * @param decision the decision's name ({@link StoredApproval#offeredDecisions()}), or null
     * @param reason why
     * @return true when this call settled it; false when it was settled already, or when a
     *     {@code RESOLVED} came after its deadline
     */
    boolean settle(String id, PendingApproval.State state, @Nullable String decision, String reason);

    /** @return the approvals pending now on every instance, oldest first (orphans cancelled first) */
    List<StoredApproval> pending();

    /**
     * @param id an approval
     * @return it, in whatever state, or empty when the store has no such id
     */
    Optional<StoredApproval> find(String id);

    /**
     * @param ids approvals of this instance
     * @return those of them no longer pending (settled elsewhere, or cancelled with an expired lease)
     */
    List<StoredApproval> settled(Collection<String> ids);

    /** Extends this instance's lease by {@link #leaseTtl()} from now (and cancels orphans of others). */
    void renewLease();

    /** Ends this instance's lease and cancels its pending approvals; releases what the store holds. */
    @Override
    void close();
}
