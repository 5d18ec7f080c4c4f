package dev.codex4j.internal.sdk;

import dev.codex4j.Cost;
import dev.codex4j.PriceTable;
import dev.codex4j.SubAgentUsage;
import dev.codex4j.TokenCount;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.SubAgentActivityKind;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.TurnStatus;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Follows the sub-agents of one turn, the whole tree, for their usage: a subscription to the
 * parent thread (its turns' copies included), opened before {@code turn/start} is sent, sees each
 * {@code subAgentActivity} item ({@code started} or {@code interacted}) and subscribes to the
 * child's thread, whose own sub-agents it follows the same way. Per child it keeps the growth of
 * the thread's total ({@code thread/tokenUsage/updated}: a child started by the turn counts from
 * zero; one the turn gave more work counts from its total before that work) and its running turns
 * (its {@code turn/started} and {@code turn/completed}, and, since the subscription may begin after
 * the child's turn began, one {@code thread/read} once subscribed).
 *
 * <p>Opened only for turns that ask for it ({@code TurnOptions.subAgentUsage}): it costs a virtual
 * thread per thread followed and a copy of each of their notifications. The listeners run on their
 * subscriptions' virtual threads (a child's {@code thread/read} on its own virtual thread);
 * {@link #settle} on the turn's consumer, after it folded the parent's {@code turn/completed}. All
 * state is guarded by one lock. Ends with {@link #close()} (the fold closes it once it built the
 * result), with the connection, or by itself a minute after the parent's end plus the wait when
 * nobody settled it (a turn discarded or never consumed; a virtual thread waits for that).
 */
public final class SubAgentWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SubAgentWatch.class.getName());
    /** How long after the parent's end plus the wait an unsettled watch keeps following. */
    private static final Duration GRACE = Duration.ofMinutes(1);

    private final Connection connection;
    private final @Nullable PriceTable prices;
    private final Duration wait;
    private final Duration requestTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock; in the order found. */
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Subscription parent;
    /** Guarded by lock. */
    private boolean parentEnded;
    private boolean closed;

    /** One child thread followed. Guarded by the watch's lock. */
    private static final class Node {
        final @Nullable String model;
        final boolean fromZero;
        @Nullable Subscription subscription;
        @Nullable TokenCount baseline;
        @Nullable TokenCount latest;
        final Set<String> running = new HashSet<>();
        final Set<String> ended = new HashSet<>();
        boolean read;
        boolean sawTurn;

        Node(@Nullable String model, boolean fromZero) {
            this.model = model;
            this.fromZero = fromZero;
            this.baseline = fromZero ? TokenCount.ZERO : null;
        }

        TokenCount tokens() {
            if (latest == null) {
                return TokenCount.ZERO;
            }
            TokenCount base = baseline == null ? TokenCount.ZERO : baseline;
            return latest.covers(base) ? latest.minus(base) : latest;
        }

        boolean idle() {
            return read && running.isEmpty() && (sawTurn || !fromZero);
        }
    }

    /**
     * Opens the watch on the connection the turn is sent on, before the turn is started.
     *
     * @param connection the turn's connection
     * @param threadId the parent thread
     * @param prices the client's prices, or null
     * @param wait how long {@link #settle} waits for running sub-agents after the parent's turn ended
     * @param requestTimeout the timeout of a child's {@code thread/read}
     */
    public SubAgentWatch(Connection connection, String threadId, @Nullable PriceTable prices, Duration wait,
            Duration requestTimeout) {
        this.connection = connection;
        this.prices = prices;
        this.wait = wait;
        this.requestTimeout = requestTimeout;
        this.parent = connection.subscribeThread(threadId, this::onParent, Integer.MAX_VALUE, true);
    }

    private void onParent(Inbound in) {
        String method = in.method();
        if (ServerNotification.TurnCompleted.METHOD.equals(method)) {
            lock.lock();
            try {
                if (parentEnded) {
                    return;
                }
                parentEnded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            // A turn whose end is never folded (discarded, abandoned) never settles the watch: it ends itself.
            Thread.ofVirtual().name("codex4j-subagent-expiry").start(this::expire);
        } else if (isItem(method)) {
            activity(in);
        }
    }

    private static boolean isItem(@Nullable String method) {
        return ServerNotification.ItemStarted.METHOD.equals(method) || ServerNotification.ItemCompleted.METHOD.equals(method);
    }

    /** A sub-agent activity item: follow the child it names (once). */
    private void activity(Inbound in) {
        ThreadItem item = switch (Session.typed(in)) {
            case ServerNotification.ItemStarted s -> s.params().item();
            case ServerNotification.ItemCompleted c -> c.params().item();
            default -> null;
        };
        if (item instanceof ThreadItem.SubAgentActivity a) {
            try {
                follow(a.agentThreadId(), a.kind(), a.model());
            } catch (RuntimeException e) { // a member that does not bind (a newer server): not followed
                LOG.log(Level.DEBUG, () -> "a subAgentActivity item cannot be read: " + e);
            }
        }
    }

    private void follow(String threadId, SubAgentActivityKind kind, @Nullable String model) {
        boolean started = SubAgentActivityKind.STARTED.equals(kind);
        if (!started && !SubAgentActivityKind.INTERACTED.equals(kind)) {
            return; // completed, interrupted: a notice about a child, which spends nothing by it
        }
        Node node;
        lock.lock();
        try {
            if (closed || nodes.containsKey(threadId)) {
                return;
            }
            node = new Node(model, started);
            nodes.put(threadId, node);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Subscription s;
        try {
            s = connection.subscribeThread(threadId, in -> onChild(threadId, in), Integer.MAX_VALUE, true);
        } catch (RuntimeException e) { // the connection ended
            markRead(node);
            return;
        }
        lock.lock();
        try {
            node.subscription = s;
            if (closed) {
                s.close();
                return;
            }
        } finally {
            lock.unlock();
        }
        // The child's turn may have begun (and spawned children) before the subscription: read it once.
        Thread.ofVirtual().name("codex4j-subagent-read").start(() -> readChild(threadId, node));
    }

    private void readChild(String threadId, Node node) {
        try {
            List<Turn> turns = Session.callOn(connection, ClientMethods.THREAD_READ,
                    TypedCodec.params(ThreadReadParams.builder().threadId(threadId).includeTurns(true).build()),
                    Deadline.after(requestTimeout)).thread().turns();
            List<ThreadItem.SubAgentActivity> spawned = new ArrayList<>();
            lock.lock();
            try {
                for (Turn t : turns) {
                    node.sawTurn = true;
                    if (TurnStatus.IN_PROGRESS.equals(t.status()) && !node.ended.contains(t.id())) {
                        node.running.add(t.id());
                    }
                    for (ThreadItem i : t.items()) {
                        if (i instanceof ThreadItem.SubAgentActivity a) {
                            spawned.add(a);
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
            for (ThreadItem.SubAgentActivity a : spawned) {
                follow(a.agentThreadId(), a.kind(), a.model());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "thread/read of sub-agent " + threadId + " failed: " + e);
        } finally {
            markRead(node);
        }
    }

    private void markRead(Node node) {
        lock.lock();
        try {
            node.read = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onChild(String threadId, Inbound in) {
        String method = in.method();
        if (isItem(method)) {
            activity(in);
            return;
        }
        boolean usage = ServerNotification.ThreadTokenUsageUpdated.METHOD.equals(method);
        boolean turnStarted = ServerNotification.TurnStarted.METHOD.equals(method);
        boolean turnCompleted = ServerNotification.TurnCompleted.METHOD.equals(method);
        if (!usage && !turnStarted && !turnCompleted) {
            return;
        }
        ServerNotification n = Session.typed(in);
        lock.lock();
        try {
            Node node = nodes.get(threadId);
            if (node == null) {
                return;
            }
            switch (n) {
                case ServerNotification.ThreadTokenUsageUpdated u -> {
                    ThreadTokenUsage t = u.params().tokenUsage();
                    TokenCount total = TokenCount.of(t.total());
                    if (node.baseline == null) {
                        TokenCount last = TokenCount.of(t.last());
                        node.baseline = total.covers(last) ? total.minus(last) : TokenCount.ZERO;
                    }
                    node.latest = total;
                }
                case ServerNotification.TurnStarted s -> {
                    node.sawTurn = true;
                    if (!node.ended.contains(s.params().turn().id())) {
                        node.running.add(s.params().turn().id());
                    }
                }
                case ServerNotification.TurnCompleted c -> {
                    node.sawTurn = true;
                    node.ended.add(c.params().turn().id());
                    node.running.remove(c.params().turn().id());
                }
                default -> { }
            }
            changed.signalAll();
        } catch (RuntimeException e) { // a member that does not bind: this notification is not counted
            LOG.log(Level.DEBUG, () -> "a notification of sub-agent " + threadId + " cannot be read: " + e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called once the parent's {@code turn/completed} was folded: waits until this watch saw it too
     * (so every sub-agent the turn reported is known), then up to the watch's wait for every
     * sub-agent to be idle, and sums what they spent. Interrupted, it stops waiting (the flag stays set).
     *
     * @return the sub-agents' usage as known now
     */
    public SubAgentUsage settle() {
        long deadline = System.nanoTime() + wait.toNanos();
        long parentDeadline = System.nanoTime() + Math.max(wait.toNanos(), TimeUnit.SECONDS.toNanos(1));
        lock.lock();
        try {
            try {
                while (!parentEnded && parentDeadline - System.nanoTime() > 0) {
                    changed.awaitNanos(parentDeadline - System.nanoTime());
                }
                while (!allIdle() && deadline - System.nanoTime() > 0) {
                    changed.awaitNanos(deadline - System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            TokenCount sum = TokenCount.ZERO;
            Cost cost = null;
            Map<String, TokenCount> by = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                TokenCount t = e.getValue().tokens();
                by.put(e.getKey(), t);
                sum = sum.plus(t);
                Cost c = prices == null ? new Cost.Unknown("not priced (no PriceTable)") : prices.costOf(e.getValue().model, t);
                cost = cost == null ? c : cost.plus(c);
            }
            if (cost == null) {
                cost = prices == null ? new Cost.Unknown("not priced (no PriceTable)") : Cost.zero(prices.currency());
            }
            return new SubAgentUsage(sum, cost, by, parentEnded && allIdle());
        } finally {
            lock.unlock();
        }
    }

    private boolean allIdle() {
        for (Node n : nodes.values()) {
            if (!n.idle()) {
                return false;
            }
        }
        return true;
    }

    /** Closes the watch once it is settled, or {@link #GRACE} after its wait if nobody settles it. */
    private void expire() {
        long deadline = System.nanoTime() + wait.toNanos() + GRACE.toNanos();
        lock.lock();
        try {
            while (!closed && deadline - System.nanoTime() > 0) {
                changed.awaitNanos(deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        close();
    }

    /** Ends every subscription. Idempotent. */
    @Override
    public void close() {
        List<Subscription> subs = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
            for (Node n : nodes.values()) {
                if (n.subscription != null) {
                    subs.add(n.subscription);
                }
            }
        } finally {
            lock.unlock();
        }
        parent.close();
        subs.forEach(Subscription::close);
    }
}
