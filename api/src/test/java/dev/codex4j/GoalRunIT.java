package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadGoalStatus;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.ThreadGoalSetParams;
import java.time.Duration;
import dev.codex4j.protocol.types.ThreadItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A goal run against the real Codex CLI and the mock model: the server runs continuation turns by
 * itself until the goal's token budget stops it (observed: at a turn boundary), and the run holds
 * every turn with its usage.
 */
class GoalRunIT {
    @Test
    void aGoalRunsThreeContinuationTurnsUntilItsTokenBudgetStopsIt() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 6; i++) {
                offline.server().enqueue(ModelReply.message("step " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            GoalResult r;
            try (GoalRun run = thread.startGoal("do it", 2500L)) {
                r = run.await(Duration.ofSeconds(60));
            }
            assertFalse(r.interrupted(), r.toString());
            assertEquals(ThreadGoalStatus.BUDGET_LIMITED, r.goal().status(), r.toString());
            assertEquals(3, r.turns().size(), r.toString());
            for (RunResult t : r.turns()) {
                assertEquals(TurnStatus.COMPLETED, t.status());
                assertEquals(1001, t.turnUsage().orElseThrow().totalTokens(), t.toString());
            }
            assertEquals(3003, r.usage().totalTokens());
            assertEquals("step 3", r.finalResponse().orElseThrow());
            assertTrue(r.goal().tokensUsed() >= 2500, r.toString());
        }
    }

    @Test
    void aGoalInterruptedIsPausedAndCanBeResumedAndCleared() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            offline.server().defaultReply(req -> ModelReply.message("working on it")
                    .usage(new ModelReply.Usage(10, 0, 1, 0)).eventDelay(Duration.ofMillis(20)));
            CodexThread thread = codex.startThread();
            GoalResult first;
            try (GoalRun run = thread.startGoal("a long job", null)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !run.result().turns().isEmpty());
                run.interrupt();
                first = run.await(Duration.ofSeconds(30));
            }
            assertTrue(first.interrupted(), first.toString());
            assertEquals(ThreadGoalStatus.PAUSED, first.goal().status(), first.toString());
            int callsWhenPaused = offline.server().requestCount();

            GoalResult second;
            try (GoalRun run = thread.resumeGoal()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !run.result().turns().isEmpty());
                run.interrupt();
                second = run.await(Duration.ofSeconds(30));
            }
            assertTrue(offline.server().requestCount() > callsWhenPaused, "the resumed goal ran again");
            assertEquals(ThreadGoalStatus.PAUSED, second.goal().status(), second.toString());
            assertTrue(second.turns().stream().noneMatch(t -> first.turns().stream()
                    .anyMatch(f -> f.turnId().equals(t.turnId()))), "the resumed run holds only its own turns");
            thread.clearGoal();
        }
    }

    @Test
    void turnsTheServerStartsWithNoGoalRunWaitingReachTheThreadsSubscribers() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 4; i++) {
                offline.server().enqueue(ModelReply.message("alone " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            List<String> completed = new CopyOnWriteArrayList<>();
            try (Subscription s = thread.subscribe(n -> {
                if (n instanceof ServerNotification.TurnCompleted c) {
                    completed.add(c.params().turn().id());
                }
            })) {
                // the raw method: no GoalRun listens; the budget stops the goal after two turns
                codex.request(ClientMethods.THREAD_GOAL_SET, ThreadGoalSetParams.builder().threadId(thread.id())
                        .objective("nobody waits").tokenBudget(1500L).build());
                await().atMost(Duration.ofSeconds(30)).until(() -> completed.size() >= 2);
            }
            assertEquals(2, new java.util.HashSet<>(completed).size(), completed.toString());
        }
    }

    /**
     * The run's event stream across its three continuation turns: opened at once, read only once
     * the run has ended (the reader busy all along), it holds every turn's events in order, once:
     * each turn between its turn/started and its Completed, its deltas making its answer.
     */
    @Test
    void theEventStreamSeesEveryContinuationTurnsEventsInOrderOnce() {
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            for (int i = 1; i <= 6; i++) {
                offline.server().enqueue(ModelReply.message("step " + i).usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
            CodexThread thread = codex.startThread();
            try (GoalRun run = thread.startGoal("do it", 2500L); GoalEventStream events = run.events()) {
                // the reader is busy until the server has run all three turns
                await().atMost(Duration.ofSeconds(60)).until(() -> run.result().turns().size() == 3
                        && !ThreadGoalStatus.ACTIVE.equals(run.result().goal().status()));
                List<String> started = new ArrayList<>();
                List<String> completed = new ArrayList<>();
                Map<String, StringBuilder> deltas = new LinkedHashMap<>();
                String current = null;
                for (TurnEvent e : events) {
                    String turn = events.turnId();
                    if (e instanceof TurnEvent.Notification n && n.notification() instanceof ServerNotification.TurnStarted) {
                        assertEquals(null, current, "a turn started before the previous one completed: " + started);
                        current = turn;
                        started.add(turn);
                        continue;
                    }
                    if (turn != null) {
                        assertEquals(current, turn, "an event outside its turn's turn/started .. Completed: " + e);
                    }
                    if (e instanceof TurnEvent.AgentMessageDelta d) {
                        deltas.computeIfAbsent(turn, t -> new StringBuilder()).append(d.delta());
                    }
                    if (e instanceof TurnEvent.Completed c) {
                        assertEquals(turn, c.result().turnId());
                        completed.add(turn);
                        current = null;
                    }
                }
                GoalResult r = run.result();
                List<String> ids = r.turns().stream().map(RunResult::turnId).toList();
                assertEquals(3, ids.size(), r.toString());
                assertEquals(ids, started, "every turn's start, in order, once");
                assertEquals(ids, completed, "every turn's end, in order, once");
                for (RunResult t : r.turns()) {
                    assertEquals(t.finalResponse().orElseThrow(), deltas.get(t.turnId()).toString());
                }
                assertEquals(ThreadGoalStatus.BUDGET_LIMITED, r.goal().status());
            }
        }
    }

    record OrderQuery(String orderId) {}

    /**
     * A continuation turn the server starts by itself calls the thread's own tool: the thread's
     * chain answers it (before, only a turn started through the CodexThread did), and the run's
     * subscriber sees the call's item.
     */
    @Test
    void aContinuationTurnCallsTheThreadsOwnTool() {
        AtomicInteger calls = new AtomicInteger();
        Tool lookup = Tool.of("lookup_order", "Looks an order up by id", OrderQuery.class, q -> {
            calls.incrementAndGet();
            return "order " + q.orderId() + " shipped";
        });
        try (OfflineCodex offline = OfflineCodex.start();
                Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            offline.server().enqueue(ModelReply.message("step 1").usage(new ModelReply.Usage(1000, 0, 1, 0)),
                    ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}").usage(new ModelReply.Usage(500, 0, 1, 0)),
                    ModelReply.message("step 2 used the tool").usage(new ModelReply.Usage(500, 0, 1, 0)),
                    ModelReply.message("step 3").usage(new ModelReply.Usage(1000, 0, 1, 0)),
                    ModelReply.message("step 4").usage(new ModelReply.Usage(1000, 0, 1, 0)));
            CodexThread thread = codex.startThread(ThreadOptions.builder().tools(List.of(lookup)).build());
            List<TurnEvent> seen = new CopyOnWriteArrayList<>();
            GoalResult r;
            List<RunResult> followed = new CopyOnWriteArrayList<>();
            // the same turns adopted as handles too: each still counts once in the spend
            try (Subscription f = thread.followServerTurns(h -> followed.add(h.run()));
                    GoalRun run = thread.startGoal("look it up", 2500L); Subscription s = run.subscribe(seen::add)) {
                r = run.await(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream()
                        .filter(e -> e instanceof TurnEvent.Completed).count() == r.turns().size()
                        && followed.size() == r.turns().size());
            }
            assertEquals(r.turns().stream().map(RunResult::turnId).toList(),
                    followed.stream().map(RunResult::turnId).toList(), "every continuation turn was followed");
            assertEquals(r.turns().size(), thread.spend().turns(), "counted once: " + thread.spend());
            assertEquals(r.usage().totalTokens(), thread.spend().tokens().totalTokens());
            assertEquals(1, calls.get(), "the thread's tool answered the server's own turn");
            RunResult second = r.turns().get(1);
            ThreadItem.DynamicToolCall call = second.items(ThreadItem.DynamicToolCall.class).getFirst();
            assertTrue(call.success(), second.toString());
            assertEquals("step 2 used the tool", second.finalResponse().orElseThrow());
            List<String> outputs = offline.server().requests().stream().flatMap(q -> q.toolOutputs().stream())
                    .map(o -> o.path("output").toString()).toList();
            assertTrue(outputs.stream().anyMatch(o -> o.contains("order A1 shipped")), outputs.toString());
            assertTrue(seen.stream().anyMatch(e -> e instanceof TurnEvent.ItemCompleted c
                    && c.item() instanceof ThreadItem.DynamicToolCall), "the subscriber saw the call");
        }
    }
}
