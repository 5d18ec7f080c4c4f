package dev.codex4j.internal.runtime;

import static dev.codex4j.testkit.ScriptStep.send;
import static dev.codex4j.testkit.ScriptStep.serverRequestNoWait;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.ObjectNode;

/**
 * Latency budgets through the dispatcher, against testkit's fake app-server in a child process
 * (a real stdout pipe, whose {@code available()} is exact, so deferred wakes are held over a quiet
 * link). The test drives the fake line by line: each client notification {@code test/...} makes it
 * write one line. Bounds are one-sided where they must be exact (a deferred wake never comes before
 * its budget: the dispatcher decides that, not the machine's load) and generous where the
 * machine's load decides (how soon after its due time a consumer runs).
 */
@Timeout(90)
class LatencyBudgetIT {
    private static final String TH = "th-1";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** What a consumer took, and when. */
    private record Got(String method, long atNanos) {}

    private static FakeAppServerProcess fake() {
        FakeAppServer.Script script = FakeAppServer.script();
        for (String turn : new String[] {"tu-1", "tu-2", "tu-3"}) {
            script.onNotification("test/delta/" + turn, send(AppServerMessages.agentMessageDelta(TH, turn, "i-1", "x")))
                    .onNotification("test/completed/" + turn, send(AppServerMessages.turnCompleted(TH, turn, "completed")))
                    .onNotification("test/error/" + turn, send(AppServerMessages.error(TH, turn, "boom", "other", true)))
                    .onNotification("test/request/" + turn, serverRequestNoWait("item/commandExecution/requestApproval",
                            AppServerMessages.commandApprovalParams(TH, turn, "i-2", "ls", "the test asks")));
        }
        script.onNotification("test/global", send(AppServerMessages.rateLimitsUpdated()))
                .onNotification("test/global-error", send(AppServerMessages.notification("error",
                        ProtocolCodec.emptyObject().put("willRetry", true))));
        return FakeAppServer.childProcess(script);
    }

    private static Connection open(FakeAppServerProcess fake) {
        Connection c = Connection.open(StdioTransport.start(fake.launch(), Duration.ofSeconds(10)));
        ObjectNode params = ProtocolCodec.emptyObject();
        params.putObject("clientInfo").put("name", "budget-it").put("title", "t").put("version", "0");
        c.request("initialize", params, WAIT).join();
        c.notify("initialized", ProtocolCodec.emptyObject());
        return c;
    }

    /** A platform-thread consumer of one turn with a budget, recording what it takes and when. */
    private static Thread consume(TurnMailbox box, Duration budget, LinkedBlockingQueue<Got> got) {
        Thread t = new Thread(() -> {
            box.attach(budget);
            try {
                for (;;) {
                    Inbound in = box.take(Duration.ofSeconds(60));
                    if (in == null) {
                        return;
                    }
                    got.add(new Got(String.valueOf(in.method()), System.nanoTime()));
                    if (in.isTurnCompleted()) {
                        return;
                    }
                }
            } catch (InterruptedException | RuntimeException e) {
                got.add(new Got("stopped: " + e, System.nanoTime()));
            }
        }, "budget-consumer-" + box.turnId());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitParked(Thread t) {
        await().atMost(WAIT).until(() -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING);
    }

    private static Got next(LinkedBlockingQueue<Got> got) throws InterruptedException {
        Got g = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(g, "nothing arrived within " + WAIT);
        return g;
    }

    @Test
    void aDeferredWakeComesWithinItsBudgetAndNeverBefore() throws Exception {
        Duration budget = Duration.ofSeconds(2);
        try (FakeAppServerProcess fake = fake(); Connection c = open(fake);
                TurnMailbox box = c.turnMailbox(TH, "tu-1")) {
            LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
            Thread consumer = consume(box, budget, got);
            awaitParked(consumer);
            long firstSent = System.nanoTime();
            c.notify("test/delta/tu-1", ProtocolCodec.emptyObject());
            assertEquals("item/agentMessage/delta", next(got).method(), "the first delta after a quiet spell");
            awaitParked(consumer);
            long secondSent = System.nanoTime();
            c.notify("test/delta/tu-1", ProtocolCodec.emptyObject());
            Got second = next(got);
            assertEquals("item/agentMessage/delta", second.method());
            // The consumer was woken for the first delta after it was sent; the second comes one
            // budget after that wake at the earliest (less the relaxed window's 3 ms lead).
            assertTrue(second.atNanos() - firstSent >= budget.toNanos() - 10 * MS,
                    "woken " + (second.atNanos() - firstSent) / MS + " ms after the first delta was sent,"
                            + " within the budget of " + budget.toMillis() + " ms");
            // The promise, with generous slack for a loaded machine: budget + window + 3 s.
            assertTrue(second.atNanos() - secondSent <= budget.toNanos() + 3_001 * MS,
                    "the second delta waited " + (second.atNanos() - secondSent) / MS + " ms");
            c.notify("test/completed/tu-1", ProtocolCodec.emptyObject());
            assertEquals("turn/completed", next(got).method());
            consumer.join(WAIT);
        }
    }

    @Test
    void turnCompletedErrorsAndServerRequestsWakeAtOnceWhateverTheBudget() throws Exception {
        Duration budget = Duration.ofSeconds(10);
        try (FakeAppServerProcess fake = fake(); Connection c = open(fake)) {
            String[][] cases = {{"tu-1", "completed", "turn/completed"}, {"tu-2", "error", "error"},
                    {"tu-3", "request", null}};
            for (String[] k : cases) {
                String turn = k[0];
                try (TurnMailbox box = c.turnMailbox(TH, turn)) {
                    LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
                    Thread consumer = consume(box, budget, got);
                    awaitParked(consumer);
                    c.notify("test/delta/" + turn, ProtocolCodec.emptyObject());
                    next(got); // at once: the first after a quiet spell
                    awaitParked(consumer);
                    c.notify("test/delta/" + turn, ProtocolCodec.emptyObject()); // deferred by up to 10 s
                    long urgentSent = System.nanoTime();
                    c.notify("test/" + k[1] + "/" + turn, ProtocolCodec.emptyObject());
                    Got deferred = next(got);
                    assertEquals("item/agentMessage/delta", deferred.method(), k[1]);
                    assertTrue(deferred.atNanos() - urgentSent < budget.toNanos() / 2,
                            k[1] + " woke the consumer " + (deferred.atNanos() - urgentSent) / MS
                                    + " ms after it was sent, not at once (budget " + budget.toMillis() + " ms)");
                    if (k[2] != null) {
                        assertEquals(k[2], next(got).method(), "and it comes after what was waiting");
                    }
                    consumer.interrupt();
                    consumer.join(WAIT);
                }
            }
        }
    }

    @Test
    void aSubscriptionWithABudgetIsWokenWithinItAndAtOnceForAnError() throws Exception {
        Duration budget = Duration.ofSeconds(2);
        try (FakeAppServerProcess fake = fake(); Connection c = open(fake)) {
            LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
            try (Subscription s = c.subscribeGlobal(in -> got.add(new Got(String.valueOf(in.method()), System.nanoTime())),
                    1024, budget)) {
                assertEquals(budget, s.latencyBudget());
                long firstSent = System.nanoTime();
                c.notify("test/global", ProtocolCodec.emptyObject());
                next(got);
                Thread.onSpinWait();
                c.notify("test/global", ProtocolCodec.emptyObject());
                Got second = next(got);
                assertTrue(second.atNanos() - firstSent >= budget.toNanos() - 10 * MS,
                        "the listener got the second notification " + (second.atNanos() - firstSent) / MS
                                + " ms after the first was sent, within its budget of " + budget.toMillis() + " ms");
                c.notify("test/global", ProtocolCodec.emptyObject()); // deferred again
                long errorSent = System.nanoTime();
                c.notify("test/global-error", ProtocolCodec.emptyObject());
                assertEquals("account/rateLimits/updated", next(got).method());
                Got error = next(got);
                assertEquals("error", error.method());
                assertTrue(error.atNanos() - errorSent < budget.toNanos() / 2 + 500 * MS,
                        "an error woke the listener " + (error.atNanos() - errorSent) / MS + " ms after it was sent");
            }
        }
    }
}
