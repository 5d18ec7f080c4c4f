package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.SubAgentActivityKind;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What Codex 0.171.0 does when the model calls its collaboration tool {@code spawn_agent} (a model
 * whose catalog entry has {@code multi_agent_version = "v2"}): the parent's turn gets a
 * {@link ThreadItem.SubAgentActivity} item naming the child thread, and the child thread (with
 * the parent as {@code parentThreadId}) runs a turn of its own against the model, which
 * {@link SubAgent#stop(Codex)} interrupts, while {@link SubAgent#subscribe} and
 * {@link SubAgent#events} follow the child's notifications.
 */
class SubAgentsIT {
    @Test
    void aSpawnAgentCallStartsAChildThreadNamedInTheParentsResult() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            Path catalog = offline.codexHome().resolve("mock_model_catalog.json");
            String json = Files.readString(catalog);
            assertTrue(json.contains("\"multi_agent_version\": null"), "the mock catalog changed");
            Files.writeString(catalog, json.replace("\"multi_agent_version\": null", "\"multi_agent_version\": \"v2\""));
            Set<String> parents = ConcurrentHashMap.newKeySet();
            Set<String> children = ConcurrentHashMap.newKeySet();
            offline.server().defaultReply(req -> {
                String thread = req.threadId().orElse("?");
                if (parents.isEmpty()) {
                    parents.add(thread);
                    return ModelReply.namespacedFunctionCall("collaboration", "spawn_agent",
                            "{\"task_name\":\"checker\",\"message\":\"check the build\",\"fork_turns\":\"none\"}");
                }
                if (!parents.contains(thread)) {
                    children.add(thread);
                    return ModelReply.stall(); // the child's turn keeps running until it is stopped
                }
                return ModelReply.message("parent done");
            });
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                CodexThread parent = codex.startThread();
                RunResult r = parent.run("spawn a checker");
                assertEquals(TurnStatus.COMPLETED, r.status());
                assertEquals("parent done", r.finalResponse().orElseThrow());
                ThreadItem.SubAgentActivity spawned = r.items(ThreadItem.SubAgentActivity.class).getFirst();
                assertEquals(SubAgentActivityKind.STARTED, spawned.kind());
                assertEquals("/root/checker", spawned.agentPath());
                String child = spawned.agentThreadId();
                await().atMost(Duration.ofSeconds(30)).until(() -> children.contains(child));
                var read = codex.request(ClientMethods.THREAD_READ, ThreadReadParams.builder().threadId(child).build());
                assertEquals(parent.id(), read.thread().parentThreadId());

                SubAgent agent = SubAgent.of(r).getFirst();
                assertEquals(new SubAgent(child, "/root/checker", "mock-model"), agent);
                await().atMost(Duration.ofSeconds(30)).until(() -> !agent.read(codex).thread().turns().isEmpty()
                        && agent.read(codex).thread().turns().getLast().status().equals(TurnStatus.IN_PROGRESS));
                // the child's events reach the parent's client: its turn/completed once it is stopped
                List<ServerNotification> childEvents = new CopyOnWriteArrayList<>();
                String stopped;
                try (Subscription s = agent.subscribe(codex, childEvents::add);
                        NotificationStream stream = agent.events(codex)) {
                    stopped = agent.stop(codex).orElseThrow();
                    await().atMost(Duration.ofSeconds(30)).until(() -> childEvents.stream().anyMatch(n ->
                            n instanceof ServerNotification.TurnCompleted c && c.params().turn().id().equals(stopped)
                                    && c.params().turn().status().equals(TurnStatus.INTERRUPTED)));
                    ServerNotification pulled;
                    do {
                        pulled = stream.poll(Duration.ofSeconds(30)).orElseThrow();
                    } while (!(pulled instanceof ServerNotification.TurnCompleted));
                    assertEquals(child, ((ServerNotification.TurnCompleted) pulled).params().threadId());
                }
                assertTrue(childEvents.stream().noneMatch(n -> n instanceof ServerNotification.TurnCompleted c
                        && !c.params().threadId().equals(child)), "only the child's events: " + childEvents);
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.read(codex).thread().turns().stream()
                        .anyMatch(t -> t.id().equals(stopped) && t.status().equals(TurnStatus.INTERRUPTED)));
                assertTrue(agent.stop(codex).isEmpty(), "a stopped sub-agent has no running turn");
            }
        }
    }

    /** Makes the mock model offer Codex's collaboration tools (multi_agent_version v2). */
    private static void multiAgent(OfflineCodex offline) throws Exception {
        Path catalog = offline.codexHome().resolve("mock_model_catalog.json");
        String json = Files.readString(catalog);
        assertTrue(json.contains("\"multi_agent_version\": null"), "the mock catalog changed");
        Files.writeString(catalog, json.replace("\"multi_agent_version\": null", "\"multi_agent_version\": \"v2\""));
    }

    private static ModelReply spawn(String task) {
        return ModelReply.namespacedFunctionCall("collaboration", "spawn_agent",
                "{\"task_name\":\"" + task + "\",\"message\":\"do " + task + "\",\"fork_turns\":\"none\"}");
    }

    /** Every model call of the k-th thread seen (0: the user's) spends 1000(k+1) input and 100(k+1) output tokens. */
    private static ModelReply.Usage usageOf(int k) {
        return new ModelReply.Usage(1000L * (k + 1), 0, 100L * (k + 1), 0);
    }

    @Test
    void nestedSubAgentsFormATreeAndTheirUsageIsSummedIntoTheParentsResult() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            multiAgent(offline);
            List<String> threads = new CopyOnWriteArrayList<>(); // in the order the model first hears from them
            Map<String, Integer> calls = new ConcurrentHashMap<>();
            offline.server().defaultReply(req -> {
                String thread = req.threadId().orElse("?");
                synchronized (threads) {
                    if (!threads.contains(thread)) {
                        threads.add(thread);
                    }
                }
                int k = threads.indexOf(thread);
                int n = calls.merge(thread, 1, Integer::sum);
                ModelReply reply = switch (k) {
                    case 0 -> n == 1 ? spawn("checker") : ModelReply.message("parent done");
                    case 1 -> n == 1 ? spawn("helper") : ModelReply.message("checker done"); // the child spawns a grandchild
                    default -> ModelReply.message("helper done");
                };
                return reply.usage(usageOf(k));
            });
            PriceTable prices = PriceTable.builder("USD").perMillionTokens(OfflineCodex.MODEL, "1", "0.1", "10").build();
            try (Codex codex = Codex.builder().launch(offline.launch()).prices(prices).build()) {
                CodexThread parent = codex.startThread();
                RunResult r = parent.run("spawn a checker", TurnOptions.builder().subAgentUsage(Duration.ofSeconds(60)).build());
                assertEquals("parent done", r.finalResponse().orElseThrow());
                assertEquals(3, threads.size(), "the user's thread, the checker and its helper: " + threads);
                String checker = threads.get(1);
                String helper = threads.get(2);

                // the parent's own usage is unchanged: its two model calls
                assertEquals(new TokenCount(2000, 0, 200, 0, 2200), r.turnUsage().orElseThrow());
                assertEquals(new Cost.Known(new BigDecimal("0.004"), "USD"), r.cost());
                // the sub-agents': the checker's two calls and the helper's one, reported on their own threads
                SubAgentUsage sub = r.subAgentUsage().orElseThrow();
                assertTrue(sub.settled(), "the result waited for both sub-agents: " + sub);
                assertEquals(Map.of(checker, new TokenCount(4000, 0, 400, 0, 4400), helper,
                        new TokenCount(3000, 0, 300, 0, 3300)), sub.byThread());
                assertEquals(List.of(checker, helper), List.copyOf(sub.byThread().keySet()));
                assertEquals(new TokenCount(7000, 0, 700, 0, 7700), sub.tokens());
                assertEquals(new Cost.Known(new BigDecimal("0.014"), "USD"), sub.cost());
                assertEquals(new TokenCount(9000, 0, 900, 0, 9900), r.totalUsage().orElseThrow());
                assertEquals(new Cost.Known(new BigDecimal("0.018"), "USD"), r.totalCost());

                // the tree: the parent's result names the checker, the checker's thread names the helper
                SubAgent c = SubAgent.of(r).getFirst();
                assertEquals(new SubAgent(checker, "/root/checker", OfflineCodex.MODEL), c);
                SubAgent h = new SubAgent(helper, "/root/checker/helper", OfflineCodex.MODEL);
                assertEquals(List.of(h), c.children(codex));
                assertEquals(List.of(c, h), SubAgent.tree(codex, parent.id()));
                assertEquals(List.of(h), c.descendants(codex));
                assertEquals(List.of(), h.children(codex));
                assertEquals(1, c.depth());
                assertEquals(2, h.depth());
                assertEquals(checker, h.read(codex).thread().parentThreadId());

                // a turn that does not ask for it does not follow sub-agents
                RunResult plain = parent.run("again");
                assertTrue(plain.subAgentUsage().isEmpty());
                assertEquals(plain.turnUsage(), plain.totalUsage());
                assertEquals(plain.cost(), plain.totalCost());
            }
        }
    }

    @Test
    void stoppingANodeLeavesItsChildrenRunningAndStopTreeStopsThemAll() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            multiAgent(offline);
            List<String> threads = new CopyOnWriteArrayList<>();
            Map<String, Integer> calls = new ConcurrentHashMap<>();
            offline.server().defaultReply(req -> {
                String thread = req.threadId().orElse("?");
                synchronized (threads) {
                    if (!threads.contains(thread)) {
                        threads.add(thread);
                    }
                }
                int k = threads.indexOf(thread);
                int n = calls.merge(thread, 1, Integer::sum);
                return switch (k) {
                    case 0 -> n == 1 ? spawn("checker") : ModelReply.message("parent done");
                    case 1 -> n == 1 ? spawn("helper") : ModelReply.stall(); // then keeps running until stopped
                    default -> ModelReply.stall();
                };
            });
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                CodexThread parent = codex.startThread();
                // a bounded wait: the sub-agents never end on their own, the result comes back without them settled
                RunResult r = parent.run("spawn a checker", TurnOptions.builder().subAgentUsage(Duration.ofMillis(300)).build());
                assertEquals("parent done", r.finalResponse().orElseThrow());
                assertFalse(r.subAgentUsage().orElseThrow().settled(), r.toString());

                SubAgent checker = SubAgent.of(r).getFirst();
                await().atMost(Duration.ofSeconds(30)).until(() -> running(codex, checker)
                        && checker.children(codex).size() == 1 && running(codex, checker.children(codex).getFirst()));
                SubAgent helper = checker.children(codex).getFirst();
                assertEquals("/root/checker/helper", helper.agentPath());

                // stopping the checker alone: its turn ends, its helper's turn runs on (what the server does)
                String checkerTurn = checker.stop(codex).orElseThrow();
                await().atMost(Duration.ofSeconds(30)).until(() -> lastStatus(codex, checker).equals(TurnStatus.INTERRUPTED));
                assertEquals(checkerTurn, checker.read(codex).thread().turns().getLast().id());
                assertTrue(running(codex, helper), "the helper still runs after its parent was stopped");

                // stopTree: every node under the checker (and the checker itself, idle now); the helper's events say so
                List<ServerNotification> helperEvents = new CopyOnWriteArrayList<>();
                try (Subscription s = helper.subscribe(codex, helperEvents::add)) {
                    Map<String, String> stopped = checker.stopTree(codex);
                    assertEquals(Set.of(helper.threadId()), stopped.keySet(), stopped.toString());
                    await().atMost(Duration.ofSeconds(30)).until(() -> helperEvents.stream().anyMatch(n ->
                            n instanceof ServerNotification.TurnCompleted c && c.params().turn().id().equals(stopped.get(helper.threadId()))
                                    && c.params().turn().status().equals(TurnStatus.INTERRUPTED)));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> lastStatus(codex, helper).equals(TurnStatus.INTERRUPTED));
                assertEquals(Map.of(), checker.stopTree(codex), "nothing runs any more");
            }
        }
    }

    private static TurnStatus lastStatus(Codex codex, SubAgent a) {
        var turns = a.read(codex).thread().turns();
        return turns.isEmpty() ? TurnStatus.of("none") : turns.getLast().status();
    }

    private static boolean running(Codex codex, SubAgent a) {
        return lastStatus(codex, a).equals(TurnStatus.IN_PROGRESS);
    }
}
