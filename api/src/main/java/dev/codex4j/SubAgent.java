package dev.codex4j;

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
     * ({@code thread/tokenUsage/updated}); the parent's {@link RunResult#usage()} does not
     * include them.
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
     * Stops the sub-agent's running turn ({@code turn/interrupt} on the child thread); the child
     * thread stays, and the parent's model may give it more work.
     *
     * @param codex the client whose server runs the child
     * @return the id of the turn interrupted, or empty when the child had no running turn
     */
    public Optional<String> stop(Codex codex) {
        List<Turn> turns = read(codex).thread().turns();
        for (int i = turns.size() - 1; i >= 0; i--) {
            Turn t = turns.get(i);
            if (TurnStatus.IN_PROGRESS.equals(t.status())) {
                codex.request(ClientMethods.TURN_INTERRUPT, TurnInterruptParams.builder().threadId(threadId).turnId(t.id())
                        .build());
                return Optional.of(t.id());
            }
        }
        return Optional.empty();
    }
}
