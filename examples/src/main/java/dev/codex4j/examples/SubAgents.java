package dev.codex4j.examples;

import dev.codex4j.NotificationStream;
import dev.codex4j.RunResult;
import dev.codex4j.SubAgent;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A turn that spawns a sub-agent: the parent's result names the child thread ({@link SubAgent}),
 * which runs a turn of its own; its events are followed until that turn ends (or 30 s pass), and
 * whatever it still runs is stopped. Offline,
 * the mock model (a catalog entry with {@code multi_agent_version = "v2"}, which offers the
 * {@code collaboration} tools) spawns a {@code checker} whose own turn answers; live
 * ({@code CODEX4J_LIVE=1}), your model decides whether to spawn one.
 */
public final class SubAgents {
    private SubAgents() {}

    /** @param args unused */
    public static void main(String[] args) {
        Set<String> parents = ConcurrentHashMap.newKeySet();
        try (ExampleSession session = ExampleSession.openPrepared(offline -> {
            ExampleSession.editCatalog(offline, "\"multi_agent_version\": null", "\"multi_agent_version\": \"v2\"");
            offline.server().defaultReply(request -> {
                String thread = request.threadId().orElse("?");
                if (parents.isEmpty()) {
                    parents.add(thread);
                    return ModelReply.namespacedFunctionCall("collaboration", "spawn_agent",
                            "{\"task_name\":\"checker\",\"message\":\"check the build\",\"fork_turns\":\"none\"}");
                }
                return parents.contains(thread) ? ModelReply.message("A checker is on it.")
                        : ModelReply.message("The build is green.");           // the child's own turn
            });
        }, b -> b)) {
            var codex = session.codex();
            RunResult r = codex.startThread().run("Spawn a checker for the build");
            System.out.println(r.finalResponse().orElse("(no answer)"));
            for (SubAgent agent : SubAgent.of(r)) {
                System.out.println("[sub-agent] " + agent.agentPath() + " on thread " + agent.threadId()
                        + ", parent " + agent.read(codex).thread().parentThreadId());
                // the child runs on its own: follow its events, and wait (at most 30 s) for its turn to end
                try (NotificationStream events = agent.events(codex)) {
                    List<Turn> turns = agent.read(codex).thread().turns();      // read after subscribing: nothing is missed
                    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
                    while ((turns.isEmpty() || TurnStatus.IN_PROGRESS.equals(turns.getLast().status()))
                            && Instant.now().isBefore(deadline)) {
                        var event = events.poll(Duration.between(Instant.now(), deadline));
                        event.ifPresent(n -> System.out.println("[sub-agent event] " + n.method()));
                        if (event.orElse(null) instanceof ServerNotification.TurnCompleted) {
                            turns = agent.read(codex).thread().turns();
                        }
                    }
                    System.out.println("[sub-agent] turns " + turns.size() + ", last "
                            + (turns.isEmpty() ? "none" : turns.getLast().status().value()));
                }
                agent.stop(codex).ifPresent(turn -> System.out.println("[sub-agent] stopped turn " + turn));
            }
        }
    }
}
