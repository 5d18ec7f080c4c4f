package dev.codex4j.examples;

import dev.codex4j.NotificationStream;
import dev.codex4j.PriceTable;
import dev.codex4j.RunResult;
import dev.codex4j.SubAgent;
import dev.codex4j.SubAgentUsage;
import dev.codex4j.TurnOptions;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A turn that spawns a sub-agent, which spawns one of its own: the parent's result names the child
 * ({@link SubAgent}), {@link SubAgent#tree} lists the whole tree, and the result, run with
 * {@link TurnOptions.Builder#subAgentUsage(Duration)}, adds up what the sub-agents spent (their
 * tokens are reported on their own threads). A child's events are followed until its turn ends
 * (or 30 s pass), and whatever still runs in the tree is stopped. Offline, the mock model (a
 * catalog entry with {@code multi_agent_version = "v2"}, which offers the {@code collaboration}
 * tools) spawns a {@code checker}, which spawns a {@code helper}; live ({@code CODEX4J_LIVE=1}),
 * your model decides whether to spawn any.
 */
public final class SubAgents {
    private SubAgents() {}

    /** @param args unused */
    public static void main(String[] args) {
        List<String> threads = new CopyOnWriteArrayList<>();   // in the order the mock model hears from them
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        try (ExampleSession session = ExampleSession.openPrepared(offline -> {
            ExampleSession.editCatalog(offline, "\"multi_agent_version\": null", "\"multi_agent_version\": \"v2\"");
            offline.server().defaultReply(request -> {
                String thread = request.threadId().orElse("?");
                synchronized (threads) {
                    if (!threads.contains(thread)) {
                        threads.add(thread);
                    }
                }
                int depth = threads.indexOf(thread);
                boolean first = calls.merge(thread, 1, Integer::sum) == 1;
                return switch (depth) {
                    case 0 -> first ? spawn("checker", "check the build") : ModelReply.message("A checker is on it.");
                    case 1 -> first ? spawn("helper", "run the tests") : ModelReply.message("The build is green.");
                    default -> ModelReply.message("The tests pass.");
                };
            });
        }, b -> b.prices(PriceTable.builder("USD").perMillionTokens(OfflineCodex.MODEL, "1.25", "0.125", "10").build()))) {
            var codex = session.codex();
            var thread = codex.startThread();
            RunResult r = thread.run("Spawn a checker for the build",
                    TurnOptions.builder().subAgentUsage(Duration.ofSeconds(30)).build()); // wait at most 30 s for them
            System.out.println(r.finalResponse().orElse("(no answer)"));

            // the tree, depth first: every sub-agent under the thread, each with its parent thread
            for (SubAgent agent : SubAgent.tree(codex, thread.id())) {
                System.out.println("[sub-agent] " + "  ".repeat(agent.depth() - 1) + agent.agentPath() + " on thread "
                        + agent.threadId() + ", parent " + agent.read(codex).thread().parentThreadId());
            }
            // usage: the turn's own, the sub-agents' (reported on their threads), and both together
            SubAgentUsage sub = r.subAgentUsage().orElseThrow();
            System.out.println("[usage] turn " + r.turnUsage().map(t -> t.totalTokens()).orElse(0L) + " tokens ("
                    + r.cost() + "), sub-agents " + sub.tokens().totalTokens() + " tokens (" + sub.cost() + ") in "
                    + sub.agents() + " threads" + (sub.settled() ? "" : ", some still running")
                    + ", total " + r.totalUsage().map(t -> t.totalTokens()).orElse(0L) + " (" + r.totalCost() + ")");

            for (SubAgent agent : SubAgent.of(r)) {
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
                    System.out.println("[sub-agent] " + agent.agentPath() + ": turns " + turns.size() + ", last "
                            + (turns.isEmpty() ? "none" : turns.getLast().status().value()));
                }
                // stop() stops one node (its children run on); stopTree() the node and everything under it
                agent.stopTree(codex).forEach((t, turn) -> System.out.println("[sub-agent] stopped turn " + turn
                        + " of thread " + t));
            }
        }
    }

    private static ModelReply spawn(String task, String message) {
        return ModelReply.namespacedFunctionCall("collaboration", "spawn_agent",
                "{\"task_name\":\"" + task + "\",\"message\":\"" + message + "\",\"fork_turns\":\"none\"}");
    }
}
