package dev.codex4j;

import dev.codex4j.errors.InvalidRequestException;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.TurnInterruptParams;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A sub-agent a turn spawned: Codex ran the model's {@code spawn_agent} call by starting a child
 * thread, reported as a {@link ThreadItem.SubAgentActivity} item of kind {@code started} in the
 * parent's turn. Immutable; {@link #of(RunResult)} finds them in a result, {@link #read(Codex)},
 * {@link #subscribe(Codex, Consumer)} (the child's events) and {@link #stop(Codex)} act on the
 * child through a client.
 *
 * <p>Sub-agents form a tree: a sub-agent may spawn its own ({@code agentPath}
 * {@code /root/checker/helper}, a thread whose {@code parentThreadId} is the sub-agent's).
 * {@link #children(Codex)} lists a node's own, {@link #tree(Codex, String)} every descendant of a
 * thread, and {@link #stopTree(Codex)} stops a node with everything under it. Stopping one node
 * ({@link #stop(Codex)}) does not stop its children: Codex 0.171.0 interrupts that thread's turn
 * only, and a grandchild's turn runs on (see docs/PROTOCOL.md).
 *
 * <pre>{@code
 * RunResult r = thread.run("Spawn a checker for the build");
 * for (SubAgent a : SubAgent.of(r)) {
 *     System.out.println(a.agentPath() + " " + a.read(codex).thread().status());
 *     a.stop(codex);                                 // interrupts the child's running turn, if any
 * }
 * }</pre>
 *
 * @param threadId the child thread
 * @param agentPath its task path, for example {@code /root/checker}
 * @param model the model it runs, or null
 */
public record SubAgent(String threadId, String agentPath, @Nullable String model) {
    /** Nothing but the model is null. */
    public SubAgent {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(agentPath, "agentPath");
    }

    /**
     * @param result a turn's result
     * @return the sub-agents the turn started, in order (none when the model spawned none)
     */
    public static List<SubAgent> of(RunResult result) {
        List<SubAgent> out = new ArrayList<>();
        for (ThreadItem.SubAgentActivity a : result.items(ThreadItem.SubAgentActivity.class)) {
            if ("started".equals(a.kind().value()) && out.stream().noneMatch(s -> s.threadId.equals(a.agentThreadId()))) {
                out.add(new SubAgent(a.agentThreadId(), a.agentPath(), a.model()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The sub-agents a thread spawned, from its turns' items ({@code thread/read}).
     *
     * @param codex the client whose server runs the thread
     * @param threadId a thread: the user's, or a sub-agent's
     * @return its own sub-agents (not theirs), in the order they were started
     */
    public static List<SubAgent> children(Codex codex, String threadId) {
        Objects.requireNonNull(threadId, "threadId");
        ThreadReadResponse read = codex.request(ClientMethods.THREAD_READ, ThreadReadParams.builder().threadId(threadId)
                .includeTurns(true).build());
        List<SubAgent> out = new ArrayList<>();
        for (Turn t : read.thread().turns()) {
            for (ThreadItem i : t.items()) {
                if (i instanceof ThreadItem.SubAgentActivity a && "started".equals(a.kind().value())
                        && out.stream().noneMatch(s -> s.threadId.equals(a.agentThreadId()))) {
                    out.add(new SubAgent(a.agentThreadId(), a.agentPath(), a.model()));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param codex the client whose server runs the child
     * @return this sub-agent's own sub-agents ({@link #children(Codex, String)} of its thread)
     */
    public List<SubAgent> children(Codex codex) {
        return children(codex, threadId);
    }

    /**
     * Every sub-agent under a thread, at any depth: its children, theirs, and so on, depth first
     * (each node before its own children). One {@code thread/read} per node.
     *
     * @param codex the client whose server runs the threads
     * @param threadId the root: the user's thread, or a sub-agent's
     * @return its descendants, depth first (empty when it spawned none)
     */
    public static List<SubAgent> tree(Codex codex, String threadId) {
        List<SubAgent> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        seen.add(threadId);
        descend(codex, threadId, out, seen);
        return List.copyOf(out);
    }

    private static void descend(Codex codex, String threadId, List<SubAgent> out, Set<String> seen) {
        for (SubAgent c : children(codex, threadId)) {
            if (seen.add(c.threadId)) { // the server's tree has no cycles; a bad one does not loop here
                out.add(c);
                descend(codex, c.threadId, out, seen);
            }
        }
    }

    /**
     * @param codex the client whose server runs the child
     * @return this sub-agent's descendants ({@link #tree(Codex, String)} of its thread)
     */
    public List<SubAgent> descendants(Codex codex) {
        return tree(codex, threadId);
    }

    /**
     * @return how deep the node is under the user's thread, from its task path: 1 for
     *     {@code /root/checker}, 2 for {@code /root/checker/helper}
     */
    public int depth() {
        int d = 0;
        for (int i = 0; i < agentPath.length(); i++) {
            if (agentPath.charAt(i) == '/') {
                d++;
            }
        }
        return Math.max(1, d - 1);
    }

    /**
     * @param codex the client whose server runs the child
     * @return the child thread with its turns ({@code thread/read}); {@code thread().parentThreadId()} is the parent
     */
    public ThreadReadResponse read(Codex codex) {
        return codex.request(ClientMethods.THREAD_READ, ThreadReadParams.builder().threadId(threadId).includeTurns(true)
                .build());
    }

    /**
     * Follows the child thread: its notifications ({@code turn/started}, items, deltas,
     * {@code thread/tokenUsage/updated}, {@code turn/completed}, ...) from now on, as
     * {@link CodexThread#subscribe(Consumer)} gives a thread's. The child runs on its own while
     * the parent's turn goes on, so what it sent before this call is not replayed (read it with
     * {@link #read(Codex)}). The listener runs on the subscription's own virtual thread, one
     * notification at a time.
     *
     * <p>Usage: the server reports the child's tokens on the child thread
     * ({@code thread/tokenUsage/updated}); the parent's {@link RunResult#turnUsage()} does not
     * include them, and {@link RunResult#subAgentUsage()} adds them up when the parent's turn
     * asked for it ({@link TurnOptions.Builder#subAgentUsage(java.time.Duration)}).
     *
     * @param codex the client whose server runs the child
     * @param listener receives each of the child's notifications
     * @return the subscription; close it to stop listening
     * @throws dev.codex4j.errors.TransportClosedException when the client is closed
     */
    public Subscription subscribe(Codex codex, Consumer<? super ServerNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        Session session = codex.session();
        return new Subscription(session.connection().subscribeThread(threadId, in -> listener.accept(Session.typed(in)),
                session.options().subscriptionBuffer(), true, session.options().maxDelay()));
    }

    /**
     * {@link #subscribe(Codex, Consumer)} as a stream to pull from.
     *
     * @param codex the client whose server runs the child
     * @return the child thread's notifications from now on; close it to stop listening
     */
    public NotificationStream events(Codex codex) {
        Session session = codex.session();
        return new NotificationStream(session.options().subscriptionBuffer(), codex::isOpen, l -> subscribe(codex, l));
    }

    /**
     * Stops this sub-agent and every sub-agent under it: {@link #stop(Codex)} on each node, the
     * deepest first, so that no node is left running below a stopped one (stopping a node alone
     * leaves its children running).
     *
     * @param codex the client whose server runs the threads
     * @return the turns interrupted, by thread id (threads without a running turn are not in it)
     */
    public Map<String, String> stopTree(Codex codex) {
        List<SubAgent> nodes = new ArrayList<>(descendants(codex));
        Collections.reverse(nodes); // depth first, reversed: every node after its descendants
        nodes.add(this);
        Map<String, String> stopped = new LinkedHashMap<>();
        for (SubAgent n : nodes) {
            n.stop(codex).ifPresent(turn -> stopped.put(n.threadId, turn));
        }
        return Collections.unmodifiableMap(stopped);
    }

    /**
     * Stops the sub-agent's running turn ({@code turn/interrupt} on the child thread); the child
     * thread stays, and the parent's model may give it more work. Its own sub-agents are not
     * stopped: their turns run on ({@link #stopTree(Codex)} stops them all).
     *
     * @param codex the client whose server runs the child
     * @return the id of the turn interrupted, or empty when the child had no running turn
     */
    public Optional<String> stop(Codex codex) {
        List<Turn> turns = read(codex).thread().turns();
        for (int i = turns.size() - 1; i >= 0; i--) {
            Turn t = turns.get(i);
            if (TurnStatus.IN_PROGRESS.equals(t.status())) {
                try {
                    codex.request(ClientMethods.TURN_INTERRUPT, TurnInterruptParams.builder().threadId(threadId)
                            .turnId(t.id()).build());
                } catch (InvalidRequestException e) {
                    // it ended between the read and the interrupt: "no active turn to interrupt"
                    if (TurnStatus.IN_PROGRESS.equals(lastStatus(codex, t.id()))) {
                        throw e;
                    }
                    return Optional.empty();
                }
                return Optional.of(t.id());
            }
        }
        return Optional.empty();
    }

    private @Nullable TurnStatus lastStatus(Codex codex, String turnId) {
        for (Turn t : read(codex).thread().turns()) {
            if (t.id().equals(turnId)) {
                return t.status();
            }
        }
        return null;
    }
}
