package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.AgentMessageDeltaNotification;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Latency budgets through the public API under load, against testkit's fake app-server in a child
 * process writing every delta on its own line, flushed, at a steady rate (line-by-line arrival):
 * nothing lost, nothing out of order, and no event later than its budget plus the dispatcher's
 * window plus a generous slack for a loaded machine. A correctness check: the timing figure is in
 * {@code bench} ({@code PacedLoad}, docs/PERFORMANCE.md).
 */
@Timeout(120)
class LatencyBudgetsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** What a loaded CI machine may add to the promise (budget + 1 ms window) before this test calls it broken. */
    private static final long SLACK_MS = 2_500;

    @Test
    void underLoadEveryEventArrivesOnceInOrderAndWithinItsBudget() throws Exception {
        int turns = 40;
        int deltas = 150;
        int perSecond = 250; // 40 x 250 = 10,000 lines a second, each written and flushed on its own
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.pacedTurn(deltas, perSecond));
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(fake.launch()).maxDelay(Duration.ofMillis(20)).build()) {
            List<CodexThread> threads = new ArrayList<>();
            for (int i = 0; i < turns; i++) {
                threads.add(codex.startThread());
            }
            // A thread subscription with its own budget sees copies of one thread's turn events.
            List<Long> copies = new CopyOnWriteArrayList<>();
            AtomicLong copiesLate = new AtomicLong();
            Duration subscriptionBudget = Duration.ofMillis(50);
            try (Subscription s = threads.get(0).subscribe(n -> {
                if (n instanceof ServerNotification.ItemAgentMessageDelta d) {
                    copies.add(seq(d.params()));
                    copiesLate.accumulateAndGet(lateness(d.params(), subscriptionBudget), Math::max);
                }
            }, subscriptionBudget)) {
                assertEquals(subscriptionBudget, s.maxDelay());
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                AtomicLong worst = new AtomicLong(Long.MIN_VALUE);
                AtomicLong delivered = new AtomicLong();
                List<Thread> consumers = new ArrayList<>();
                for (int i = 0; i < turns; i++) {
                    CodexThread thread = threads.get(i);
                    // Every fourth turn states no budget (every read batch); the rest take the client's 20 ms.
                    Duration budget = i % 4 == 3 ? Duration.ZERO : null;
                    consumers.add(Thread.ofVirtual().start(() -> {
                        try (TurnEventStream events = budget == null ? thread.turn("go").events()
                                : thread.turn("go").events(budget)) {
                            Duration stated = events.maxDelay();
                            int next = 0;
                            for (TurnEvent e : events) {
                                delivered.incrementAndGet();
                                if (e instanceof TurnEvent.AgentMessageDelta d) {
                                    String text = d.delta();
                                    int got = Integer.parseInt(text.substring(0, text.indexOf(':')));
                                    if (got != next) {
                                        failures.add(thread.id() + ": delta " + got + " where " + next + " was due");
                                        return;
                                    }
                                    next++;
                                    worst.accumulateAndGet(lateness(text, stated), Math::max);
                                } else if (e instanceof TurnEvent.Completed c && next != deltas) {
                                    failures.add(thread.id() + ": completed after " + next + " of " + deltas);
                                }
                            }
                            if (events.turn().result().isEmpty()) {
                                failures.add(thread.id() + ": no result");
                            }
                        } catch (RuntimeException e) {
                            failures.add(thread.id() + ": " + e);
                        }
                    }));
                }
                for (Thread c : consumers) {
                    c.join(TimeUnit.SECONDS.toMillis(90));
                }
                assertEquals(List.of(), List.copyOf(failures));
                assertEquals((long) turns * (deltas + 3), delivered.get(), "every notification of every turn");
                assertTrue(worst.get() <= 0, "an event came " + worst.get() / MS
                        + " ms later than its budget + 1 ms window + " + SLACK_MS + " ms of slack");
                // The subscription's copies: all of them, in order, within its budget.
                List<Long> expected = new ArrayList<>();
                for (long k = 0; k < deltas; k++) {
                    expected.add(k);
                }
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> copies.size() >= deltas);
                assertEquals(expected, List.copyOf(copies));
                assertTrue(copiesLate.get() <= 0, "a copy came " + copiesLate.get() / MS + " ms too late");
            }
        }
    }

    @Test
    void aBudgetIsCheckedAndTheClientsDefaultIsNone() {
        assertThrows(IllegalArgumentException.class, () -> Codex.builder().maxDelay(Duration.ofMillis(-1)));
        FakeAppServer.Script script = FakeAppServer.script().defaultAnswer("hi");
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            CodexThread thread = codex.startThread();
            assertThrows(IllegalArgumentException.class, () -> thread.turn("q").events(Duration.ofMillis(-5)));
            try (TurnEventStream events = thread.turn("q").events()) {
                assertEquals(Duration.ZERO, events.maxDelay());
                events.forEach(e -> { });
            }
            try (Subscription s = codex.subscribe(n -> { })) {
                assertEquals(Duration.ZERO, s.maxDelay());
            }
            try (NotificationStream s = thread.events(Duration.ofMillis(30))) {
                assertEquals(Duration.ofMillis(30), s.maxDelay());
            }
        }
    }

    /** How much later than budget + window + slack the delta "<seq>:<nanoTime> " arrived (<= 0: in time). */
    private static long lateness(String text, Duration budget) {
        long sent = Long.parseLong(text.substring(text.indexOf(':') + 1).trim());
        return System.nanoTime() - sent - budget.toNanos() - MS - SLACK_MS * MS;
    }

    private static long lateness(AgentMessageDeltaNotification p, Duration budget) {
        return lateness(p.delta(), budget);
    }

    private static long seq(AgentMessageDeltaNotification p) {
        return Long.parseLong(p.delta().substring(0, p.delta().indexOf(':')));
    }
}
