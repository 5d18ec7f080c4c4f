package dev.codex4j;

import dev.codex4j.internal.sdk.ApprovalReplies;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.errors.CodexException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

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
 * <p><b>Shared by several instances</b> ({@link Builder#store(ApprovalStore)}): each approval is
 * also written to the store (kind, ids, summary, offered decisions: see {@link StoredApproval}), so
 * any instance {@link #listShared() lists} it and {@link #resolve(String, Decision) resolves} it by
 * id. The store decides which settlement wins (one, across instances); the instance holding the
 * request learns a decision taken elsewhere from its poller (a virtual thread
 * {@code codex4j-approval-store}, which asks the store every {@link Builder#pollInterval} while it
 * has approvals pending, and renews its lease every third of the store's lease time), so the
 * decision reaches the server within one poll interval plus one query. {@link #list()},
 * {@link #get(String)} and {@link #poll(Duration)} still show this instance's own approvals, with
 * their typed requests. Close a shared inbox when the backend stops: it ends the poller and the
 * store's lease, cancelling this instance's pending approvals.
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
public final class ApprovalInbox implements AutoCloseable {
    /** The deadline of {@link #create()}. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);
    private static final System.Logger LOG = System.getLogger(ApprovalInbox.class.getName());
    private static final int SUMMARY_CHARS = 1000;

    private final Duration deadline;
    private final @Nullable ApprovalStore store;
    private final Duration pollInterval;
    private final String idPrefix;
    private final AtomicLong ids = new AtomicLong();
    /** Pending approvals by id; an approval removes itself when it settles. */
    private final ConcurrentHashMap<String, PendingApproval> pending = new ConcurrentHashMap<>();
    /** Approvals not yet handed out by poll, oldest first (settled ones are skipped there). */
    private final LinkedBlockingQueue<PendingApproval> fresh = new LinkedBlockingQueue<>();
    /** Settlements the store could not take when they happened (it was unreachable): the poller retries them. */
    private final ConcurrentLinkedQueue<StoredApproval> unsynced = new ConcurrentLinkedQueue<>();
    private final PendingApproval.Arbiter arbiter;
    private final @Nullable Thread poller;
    private volatile boolean closed;

    private ApprovalInbox(Duration deadline, @Nullable ApprovalStore store, Duration pollInterval) {
        this.deadline = deadline;
        this.store = store;
        this.pollInterval = pollInterval;
        if (store == null) {
            this.idPrefix = "a";
            this.arbiter = PendingApproval.Arbiter.LOCAL;
            this.poller = null;
        } else {
            this.idPrefix = store.owner() + ":a";
            this.arbiter = new StoreArbiter(store);
            store.renewLease();
            this.poller = Thread.ofVirtual().name("codex4j-approval-store").start(this::pollStore);
        }
    }

    /** @return an inbox in memory whose approvals expire after {@link #DEFAULT_DEADLINE} (10 minutes) */
    public static ApprovalInbox create() {
        return new ApprovalInbox(DEFAULT_DEADLINE, null, Duration.ZERO);
    }

    /**
     * @param deadline how long a request waits for an answer before it is refused; positive
     * @return an inbox in memory
     */
    public static ApprovalInbox create(Duration deadline) {
        return builder().deadline(deadline).build();
    }

    /** @return a builder of an inbox (in memory unless given a {@link Builder#store}) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return how long a request waits for an answer */
    public Duration deadline() {
        return deadline;
    }

    /** @return its store, or empty for an inbox in memory */
    public Optional<ApprovalStore> store() {
        return Optional.ofNullable(store);
    }

    /** @return this instance's approvals pending now, oldest first (a snapshot) */
    public List<PendingApproval> list() {
        return pending.values().stream().sorted(Comparator.comparingLong(PendingApproval::seq)).toList();
    }

    /** @return this instance's pending approval with this id, or empty (unknown, or no longer pending) */
    public Optional<PendingApproval> get(String id) {
        return Optional.ofNullable(pending.get(Objects.requireNonNull(id, "id")));
    }

    /**
     * The approvals pending on every instance sharing the store, oldest first; without a store,
     * this instance's. A query of the store each call.
     *
     * @return a snapshot
     * @throws CodexException when the store cannot be reached
     */
    public List<StoredApproval> listShared() {
        if (store == null) {
            return list().stream().map(this::stored).toList();
        }
        try {
            return store.pending();
        } catch (CodexException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodexException("The approval store could not list the pending approvals: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves an approval by id, whichever instance holds its request: this instance's at once;
     * another's through the store, where exactly one settlement wins, and its owner sends the
     * decision within its poll interval. Across instances the decision is one the request offered,
     * by name ({@link StoredApproval#offeredDecisions()}), or {@link Decision#refuse()}.
     *
     * @param id the approval's id ({@link StoredApproval#id()}, {@link PendingApproval#id()})
     * @param decision the answer
     * @return true when this call settled it; false when it was no longer pending (resolved by
     *     someone else, expired, cancelled) or is unknown
     * @throws IllegalArgumentException when the decision does not fit the request
     * @throws CodexException when the store cannot be reached
     */
    public boolean resolve(String id, Decision decision) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(decision, "decision");
        PendingApproval local = pending.get(id);
        if (local != null) {
            return local.resolve(decision);
        }
        if (store == null) {
            return false;
        }
        String name = StoredApproval.nameOf(decision).orElseThrow(() -> new IllegalArgumentException(
                ApprovalReplies.describe(decision) + " carries data: across instances only a named decision is sent"
                        + " (accept, acceptForSession, decline, cancel, refuse); resolve it on its owner"));
        try {
            Optional<StoredApproval> found = store.find(id);
            if (found.isEmpty() || found.get().state() != PendingApproval.State.PENDING) {
                return false;
            }
            StoredApproval a = found.get();
            if (!name.equals("refuse") && !a.offeredDecisions().contains(name)) {
                throw new IllegalArgumentException(name + " is not an answer to " + a.kind() + " " + id
                        + ": it offered " + String.join(", ", a.offeredDecisions()) + "; Decision.refuse() always fits");
            }
            return store.settle(id, PendingApproval.State.RESOLVED, name, "resolved");
        } catch (CodexException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodexException("The approval store could not resolve " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the oldest approval of this instance that no poll has returned yet and that is
     * still pending.
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
     * Cancels this instance's pending approvals (their requests are refused), stops the poller
     * and closes the store (ending this instance's lease). An inbox in memory has nothing to close
     * but its approvals. Idempotent; bounded by the store's own timeouts.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PendingApproval p : list()) {
            p.cancel("the inbox closed");
        }
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            store.close();
        }
    }

    /**
     * The request's handler thread: a new pending approval, not listed yet ({@link #publish}
     * lists it once whatever can cancel it is in place).
     */
    PendingApproval create(String requestId, ApprovalRequest request) {
        long seq = ids.incrementAndGet();
        String id = idPrefix + seq;
        PendingApproval[] self = new PendingApproval[1];
        PendingApproval p = new PendingApproval(id, seq, requestId, request, deadline, arbiter, () -> {
            pending.remove(id);
            fresh.remove(self[0]);
        });
        self[0] = p;
        return p;
    }

    /**
     * The request's handler thread: lists the approval (unless it settled already), in the store
     * first; a store that cannot take it cancels it (the request is refused: fail closed).
     */
    void publish(PendingApproval p) {
        if (closed) {
            p.cancel("the inbox closed");
            return;
        }
        if (store != null) {
            p.storeLock.lock();
            try {
                if (p.settledBeforeStore) {
                    return; // settled already: nothing to share
                }
                store.add(stored(p));
                p.inStore = true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "The approval store could not take " + p.id() + "; it is refused", e);
                p.settledBeforeStore = true;
                p.adopt(new PendingApproval.Outcome(PendingApproval.State.CANCELLED, null,
                        "the approval store could not take it: " + e.getMessage()));
                return;
            } finally {
                p.storeLock.unlock();
            }
        }
        pending.put(p.id(), p);
        fresh.add(p);
        if (p.state() != PendingApproval.State.PENDING) {
            // settled meanwhile: its removal may have run before the put
            pending.remove(p.id());
            fresh.remove(p);
        }
    }

    /** What the store keeps of an approval: no params, no secrets. */
    private StoredApproval stored(PendingApproval p) {
        ApprovalRequest r = p.request();
        List<String> offered = new ArrayList<>();
        for (Decision d : r.availableDecisions()) {
            StoredApproval.nameOf(d).ifPresent(n -> {
                if (!offered.contains(n)) {
                    offered.add(n);
                }
            });
        }
        return new StoredApproval(p.id(), store == null ? "local" : store.owner(), r.method(), p.requestId(),
                p.threadId(), p.turnId(), summary(r), offered, p.receivedAt(), p.deadline(), p.state(),
                p.decision().flatMap(StoredApproval::nameOf).orElse(null), p.reason().orElse(null));
    }

    private static String summary(ApprovalRequest r) {
        String s = switch (r) {
            case ApprovalRequest.Command c -> "run " + c.command() + (c.reason() == null ? "" : " (" + c.reason() + ")");
            case ApprovalRequest.FileChange f -> "change files" + (f.reason() == null ? "" : " (" + f.reason() + ")");
            case ApprovalRequest.McpElicitation m -> "MCP server " + m.serverName() + ": " + m.message();
            case ApprovalRequest.Permissions p -> "grant permissions";
            case ApprovalRequest.UserInput u -> "answer questions";
            case ApprovalRequest.ToolCall t -> "a tool call";
            case ApprovalRequest.ExecCommandApproval e -> "run a command";
            case ApprovalRequest.ApplyPatchApproval a -> "apply a patch";
            case ApprovalRequest.Unknown u -> u.method();
        };
        return s.length() <= SUMMARY_CHARS ? s : s.substring(0, SUMMARY_CHARS - 1) + "\u2026";
    }

    /**
     * The poller ({@code codex4j-approval-store}): applies settlements made elsewhere to this
     * instance's approvals, retries settlements the store missed, renews the lease. A failing
     * store is logged once per outage; the approvals then still expire at their deadline.
     */
    private void pollStore() {
        ApprovalStore s = Objects.requireNonNull(store);
        long renewEvery = Math.max(1, s.leaseTtl().toNanos() / 3);
        long lastRenew = System.nanoTime();
        boolean failing = false;
        while (!closed) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (System.nanoTime() - lastRenew >= renewEvery) {
                    s.renewLease();
                    lastRenew = System.nanoTime();
                }
                for (StoredApproval u; (u = unsynced.peek()) != null; unsynced.poll()) {
                    s.settle(u.id(), u.state(), u.decision(), Objects.requireNonNullElse(u.reason(), ""));
                }
                if (!pending.isEmpty()) {
                    for (StoredApproval a : s.settled(List.copyOf(pending.keySet()))) {
                        PendingApproval p = pending.get(a.id());
                        if (p != null) {
                            p.adopt(outcome(a));
                        }
                    }
                }
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "The approval store answers again");
                    failing = false;
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return; // closing interrupted the query
                }
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "The approval store failed (logged once until it answers again)", e);
                    failing = true;
                }
            }
        }
    }

    private static PendingApproval.Outcome outcome(StoredApproval a) {
        return new PendingApproval.Outcome(a.state(), a.decision() == null ? null : StoredApproval.decisionNamed(a.decision()),
                a.reason() == null ? a.state().name().toLowerCase(java.util.Locale.ROOT) : a.reason());
    }

    /** Settlements through the store: one wins across instances. */
    private final class StoreArbiter implements PendingApproval.Arbiter {
        private final ApprovalStore store;

        StoreArbiter(ApprovalStore store) {
            this.store = store;
        }

        @Override
        public boolean claim(PendingApproval p, PendingApproval.Outcome o) {
            String name = o.decision() == null ? null : StoredApproval.nameOf(o.decision()).orElse("data");
            p.storeLock.lock();
            try {
                if (!p.inStore) {
                    p.settledBeforeStore = true; // not shared yet: it never will be, this settlement wins
                    return true;
                }
            } finally {
                p.storeLock.unlock();
            }
            try {
                return store.settle(p.id(), o.state(), name, o.reason());
            } catch (RuntimeException e) {
                if (o.state() == PendingApproval.State.RESOLVED) {
                    throw new CodexException("The approval store could not resolve " + p.id() + " (it stays pending): "
                            + e.getMessage(), e);
                }
                // a refusal needs nobody's agreement: settle here, tell the store later
                unsynced.add(new StoredApproval(p.id(), store.owner(), p.request().method(), p.requestId(), p.threadId(),
                        p.turnId(), "", List.of(), p.receivedAt(), p.deadline(), o.state(), name, o.reason()));
                return true;
            }
        }

        @Override
        public PendingApproval.@Nullable Outcome winner(PendingApproval p) {
            try {
                return store.find(p.id()).filter(a -> a.state() != PendingApproval.State.PENDING)
                        .map(ApprovalInbox::outcome).orElse(null);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    @Override
    public String toString() {
        return "ApprovalInbox[" + pending.size() + " pending, deadline " + deadline
                + (store == null ? "" : ", store " + store.owner()) + "]";
    }

    /**
     * Builds an {@link ApprovalInbox}.
     *
     * <pre>{@code
     * ApprovalInbox inbox = ApprovalInbox.builder().deadline(Duration.ofMinutes(5)).store(store).build();
     * }</pre>
     */
    public static final class Builder {
        private Duration deadline = DEFAULT_DEADLINE;
        private @Nullable ApprovalStore store;
        private Duration pollInterval = Duration.ofMillis(250);

        private Builder() {}

        /** @return this, with how long a request waits for an answer before it is refused (10 minutes) */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive: " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /** @return this, sharing the approvals through a store (the inbox closes it); none by default */
        public Builder store(ApprovalStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @return this, with how often the instance holding requests asks the store for decisions
         *     taken elsewhere (250 ms): the bound on how late such a decision reaches the server,
         *     plus one query
         */
        public Builder pollInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive: " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** @return the inbox (with a store: its poller started and its lease taken) */
        public ApprovalInbox build() {
            return new ApprovalInbox(deadline, store, pollInterval);
        }
    }
}
