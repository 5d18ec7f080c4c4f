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
import java.util.stream.LongStream;
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

    /**
     * The Flow publishers take a budget too: a turn's publisher with a 300 ms budget over a turn
     * that writes a delta every 10 ms is signalled in a few bursts (its subscription's thread is
     * woken at most once per budget; without the budget, a burst per delta), loses nothing, keeps
     * the order and keeps the promise; a subscriber that pauses (no demand) keeps its budget when it
     * resumes; a thread's publisher with a budget gets every copy in order and in time.
     */
    @Test
    void aPublisherWithABudgetIsSignalledInBurstsAndLosesNothing() throws Exception {
        int deltas = 100;
        Duration budget = Duration.ofMillis(300);
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.pacedTurn(deltas, 100));
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(fake.launch()).maxDelay(Duration.ofMillis(20)).build()) {
            CodexThread eager = codex.startThread();
            CodexThread chunked = codex.startThread();
            List<Long> copies = new CopyOnWriteArrayList<>();
            AtomicLong copiesLate = new AtomicLong(Long.MIN_VALUE);
            TimedSubscriber<ServerNotification> threadSubscriber = new TimedSubscriber<>(Long.MAX_VALUE, n -> {
                if (n instanceof ServerNotification.ItemAgentMessageDelta d) {
                    copies.add(seq(d.params()));
                    copiesLate.accumulateAndGet(lateness(d.params(), budget), Math::max);
                }
            });
            eager.publisher(budget).subscribe(threadSubscriber);
            threadSubscriber.subscribed.get(10, TimeUnit.SECONDS);

            TurnHandle eagerTurn = eager.turn("go");
            TurnEventPublisher eagerPublisher = eagerTurn.publisher(budget);
            assertEquals(budget, eagerPublisher.maxDelay());
            TimedSubscriber<TurnEvent> all = new TimedSubscriber<>(Long.MAX_VALUE, e -> { });
            eagerPublisher.subscribe(all);
            TurnHandle chunkedTurn = chunked.turn("go");
            // Requests 7 at a time, each time from another thread once the 7 came: the emitter runs
            // out of demand (the turn's consumer detaches) and resumes (it attaches again, with the budget).
            TimedSubscriber<TurnEvent> inChunks = new TimedSubscriber<>(7, e -> { });
            chunkedTurn.publisher(budget).subscribe(inChunks);

            for (TimedSubscriber<TurnEvent> s : List.of(all, inChunks)) {
                assertTrue(s.done.await(60, TimeUnit.SECONDS), "the publisher completed");
                assertEquals(null, s.error, "no error");
                List<Long> seqs = new ArrayList<>();
                for (TurnEvent e : s.items) {
                    if (e instanceof TurnEvent.AgentMessageDelta d) {
                        seqs.add(Long.parseLong(d.delta().substring(0, d.delta().indexOf(':'))));
                        assertTrue(lateness(d.delta(), budget) <= 0, "a delta came " + lateness(d.delta(), budget) / MS
                                + " ms later than its budget + window + slack");
                    }
                }
                assertEquals(LongStream.range(0, deltas).boxed().toList(), seqs, "every delta, once, in order");
                assertTrue(s.items.getLast() instanceof TurnEvent.Completed, "ends with Completed");
            }
            // Bursts: onNext calls more than 5 ms apart start a new one. A delta every 10 ms without
            // a budget is a burst per delta (about 100); with 300 ms, about one per 300 ms of the
            // turn, plus one per resumption after the subscriber ran out of demand.
            for (TimedSubscriber<TurnEvent> s : List.of(all, inChunks)) {
                List<Long> deltaTimes = new ArrayList<>();
                for (int i = 0; i < s.items.size(); i++) {
                    if (s.items.get(i) instanceof TurnEvent.AgentMessageDelta) {
                        deltaTimes.add(s.times.get(i));
                    }
                }
                int bursts = 1;
                for (int i = 1; i < deltaTimes.size(); i++) {
                    if (deltaTimes.get(i) - deltaTimes.get(i - 1) > 5 * MS) {
                        bursts++;
                    }
                }
                long spanMs = (deltaTimes.getLast() - deltaTimes.getFirst()) / MS;
                assertTrue(bursts <= spanMs / budget.toMillis() + 6 + s.requests.get(), bursts + " bursts of onNext over "
                        + spanMs + " ms (" + s.requests.get() + " requests): the subscription's thread was woken"
                        + " more often than once per " + budget.toMillis() + " ms");
            }

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> copies.size() >= deltas);
            assertEquals(LongStream.range(0, deltas).boxed().toList(), List.copyOf(copies), "the thread's copies");
            assertTrue(copiesLate.get() <= 0, "a copy came " + copiesLate.get() / MS + " ms too late");
            threadSubscriber.cancel();
        }
    }

    /** Records what it gets and when; requests {@code chunk} at a time (Long.MAX_VALUE: all at once). */
    private static final class TimedSubscriber<T> implements java.util.concurrent.Flow.Subscriber<T> {
        final long chunk;
        final java.util.function.Consumer<T> each;
        final List<T> items = new CopyOnWriteArrayList<>();
        final List<Long> times = new CopyOnWriteArrayList<>();
        final java.util.concurrent.CompletableFuture<Void> subscribed = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        volatile Throwable error;
        volatile java.util.concurrent.Flow.Subscription subscription;
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        private long left;

        TimedSubscriber(long chunk, java.util.function.Consumer<T> each) {
            this.chunk = chunk;
            this.each = each;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            left = chunk;
            s.request(chunk);
            subscribed.complete(null);
        }

        @Override
        public void onNext(T item) {
            times.add(System.nanoTime());
            items.add(item);
            each.accept(item);
            if (chunk != Long.MAX_VALUE && --left == 0) {
                left = chunk;
                requests.incrementAndGet();
                Thread.ofVirtual().start(() -> subscription.request(chunk)); // demand runs out first
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        void cancel() {
            subscription.cancel();
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
            assertThrows(IllegalArgumentException.class, () -> thread.publisher(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> codex.publisher(Duration.ofMillis(-1)));
            TurnHandle turn = thread.turn("q");
            assertThrows(IllegalArgumentException.class, () -> turn.publisher(Duration.ofMillis(-1)));
            assertEquals(Duration.ZERO, turn.publisher().maxDelay(), "the client's default");
            turn.run();
        }
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput())
                        .maxDelay(Duration.ofMillis(25)).build()) {
            TurnHandle turn = codex.startThread().turn("q");
            assertEquals(Duration.ofMillis(25), turn.publisher().maxDelay(),
                    "a turn's publisher takes the client's default budget");
            turn.run();
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
