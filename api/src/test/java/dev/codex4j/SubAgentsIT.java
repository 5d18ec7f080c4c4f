package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.SubAgentActivityKind;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
