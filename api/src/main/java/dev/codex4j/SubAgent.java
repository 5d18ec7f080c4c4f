package dev.codex4j;

import dev.codex4j.protocol.methods.ClientMethods;
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
import org.jspecify.annotations.Nullable;

/**
 * A sub-agent a turn spawned: Codex ran the model's {@code spawn_agent} call by starting a child
 * thread, reported as a {@link ThreadItem.SubAgentActivity} item of kind {@code started} in the
 * parent's turn. Immutable; {@link #of(RunResult)} finds them in a result, {@link #read(Codex)}
 * and {@link #stop(Codex)} act on the child through a client.
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
