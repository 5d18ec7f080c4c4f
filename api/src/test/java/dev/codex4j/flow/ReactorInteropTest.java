package dev.codex4j.flow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnHandle;
import dev.codex4j.errors.SubscriberOverflowException;
import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.errors.TurnHasConsumerException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

/** The turn and notification publishers used from Reactor, against the scripted fake app-server. */
class ReactorInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Codex connect(FakeAppServer fake) {
        return Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build();
    }

    /** turn/start writes as many deltas as its text says, then turn/completed (or a failed one for "fail"). */
    private static FakeAppServer.Script counting() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            String text = req.params().path("input").path(0).path("text").asString();
            String threadId = out.var("threadId");
            String turnId = out.var("turnId");
            out.respond(AppServerMessages.turnStartResult(turnId));
            if (text.equals("fail")) {
                out.send(AppServerMessages.turnFailed(threadId, turnId, "the model refused", "other"));
                return;
            }
            for (int i = 0; i < Integer.parseInt(text); i++) {
                out.send(AppServerMessages.agentMessageDelta(threadId, turnId, "msg-" + turnId, "d" + i));
            }
            out.send(AppServerMessages.turnCompleted(threadId, turnId, "completed"));
        });
    }

    @Test
    void limitRateReceivesEveryEventInOrderEndingWithCompleted() {
        try (FakeAppServer fake = FakeAppServer.inProcess(counting()); Codex codex = connect(fake)) {
            TurnHandle turn = codex.startThread().turn("50");
            List<TurnEvent> events = JdkFlowAdapter.flowPublisherToFlux(turn.publisher())
                    .limitRate(3)
                    .collectList()
                    .block(WAIT);
            assertEquals(51, events.size());
            for (int i = 0; i < 50; i++) {
                assertEquals("d" + i, ((TurnEvent.AgentMessageDelta) events.get(i)).delta());
            }
            TurnEvent.Completed done = assertInstanceOf(TurnEvent.Completed.class, events.get(50));
            assertEquals(TurnStatus.COMPLETED, done.result().status());
            assertEquals(done.result(), turn.result().orElseThrow());
        }
    }

    @Test
    void takeCancelsTheSubscriptionAndInterruptsTheTurn() {
        // A slow turn (20 deltas a second, 200 of them): take(3) cancels it long before its end.
        // Concurrent handlers: the fake answers turn/interrupt while it still writes the paced turn.
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.pacedTurn(200, 20));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake)) {
            CodexThread thread = codex.startThread();
            TurnHandle turn = thread.turn("go");
            List<TurnEvent> first = JdkFlowAdapter.flowPublisherToFlux(turn.publisher())
                    .ofType(TurnEvent.AgentMessageDelta.class)
                    .take(3)
                    .cast(TurnEvent.class)
                    .collectList()
                    .block(WAIT);
            assertEquals(3, first.size());
            await().atMost(WAIT).until(() -> fake.requests("turn/interrupt").size() == 1);
            assertTrue(turn.isInterruptRequested());
            // The consumer role was given back: run() takes over and sees the interrupted end.
            RunResult r = turn.run();
            assertEquals(TurnStatus.INTERRUPTED, r.status());
        }
    }

    @Test
    void aSecondSubscriberGetsATypedErrorAndTheFirstGoesOn() {
        try (FakeAppServer fake = FakeAppServer.inProcess(counting()); Codex codex = connect(fake)) {
            TurnHandle turn = codex.startThread().turn("5");
            Recorder<TurnEvent> first = new Recorder<>();
            turn.publisher().subscribe(first); // requests nothing yet: it holds the turn
            TurnHasConsumerException e = assertThrows(TurnHasConsumerException.class,
                    () -> JdkFlowAdapter.flowPublisherToFlux(turn.publisher()).blockLast(WAIT));
            assertEquals(turn.id(), e.turnId());
            await().atMost(WAIT).until(() -> first.subscription.get() != null);
            first.subscription.get().request(100);
            await().atMost(WAIT).until(() -> first.completed);
            assertEquals(6, first.items.size());
        }
    }

    @Test
    void aFailedTurnEndsWithOnErrorCarryingItsResult() {
        try (FakeAppServer fake = FakeAppServer.inProcess(counting()); Codex codex = connect(fake)) {
            TurnHandle turn = codex.startThread().turn("fail");
            TurnFailedException e = assertThrows(TurnFailedException.class,
                    () -> JdkFlowAdapter.flowPublisherToFlux(turn.publisher()).blockLast(WAIT));
            assertEquals("the model refused", e.error().message());
        }
    }

    @Test
    void aTurnPublisherNeverDeliversMoreThanRequested() {
        try (FakeAppServer fake = FakeAppServer.inProcess(counting()); Codex codex = connect(fake)) {
            TurnHandle turn = codex.startThread().turn("20");
            Recorder<TurnEvent> r = new Recorder<>();
            turn.publisher().subscribe(r);
            await().atMost(WAIT).until(() -> r.subscription.get() != null);
            r.subscription.get().request(2);
            await().atMost(WAIT).until(() -> r.items.size() == 2);
            // Every event has arrived by now (the turn ended on the server): still two delivered.
            await().atMost(WAIT).until(turn::isCompleted);
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> r.items.size() == 2);
            r.subscription.get().request(Long.MAX_VALUE);
            await().atMost(WAIT).until(() -> r.completed);
            assertEquals(21, r.items.size());
        }
    }

    /** configWarning notifications: {@code test/emit} writes as many as its params say. */
    private static FakeAppServer.Script emitting() {
        return FakeAppServer.script().onRequest("test/emit", (req, out) -> {
            for (int i = 0; i < req.params().path("count").asInt(); i++) {
                out.send(AppServerMessages.notification("configWarning", ProtocolCodec.objectOf(Map.of("summary", "w" + i))));
            }
            out.respond(ProtocolCodec.emptyObject());
        });
    }

    @Test
    void aClientPublisherDeliversWhatWasRequestedAndCompletesWhenTheClientCloses() {
        try (FakeAppServer fake = FakeAppServer.inProcess(emitting())) {
            Codex codex = connect(fake);
            Recorder<ServerNotification> r = new Recorder<>();
            codex.publisher().subscribe(r);
            await().atMost(WAIT).until(() -> r.subscription.get() != null);
            r.subscription.get().request(3);
            codex.request("test/emit", ProtocolCodec.objectOf(Map.of("count", 5)));
            await().atMost(WAIT).until(() -> r.items.size() == 3);
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> r.items.size() == 3);
            assertEquals("w2", ((ServerNotification.ConfigWarning) r.items.get(2)).params().summary());
            codex.close();
            await().atMost(WAIT).until(() -> r.completed);
            assertEquals(null, r.error.get());
        }
    }

    @Test
    void aSubscriberThatFallsBehindTheBufferGetsATypedOverflowErrorNotASilentDrop() {
        try (FakeAppServer fake = FakeAppServer.inProcess(emitting());
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput())
                        .subscriptionBuffer(4).build()) {
            Recorder<ServerNotification> r = new Recorder<>();
            codex.publisher().subscribe(r);
            await().atMost(WAIT).until(() -> r.subscription.get() != null);
            r.subscription.get().request(1);
            codex.request("test/emit", ProtocolCodec.objectOf(Map.of("count", 20)));
            await().atMost(WAIT).until(() -> r.error.get() != null);
            SubscriberOverflowException e = assertInstanceOf(SubscriberOverflowException.class, r.error.get());
            assertEquals(4, e.capacity());
            assertTrue(r.items.size() <= 1, r.items.toString());
        }
    }

    @Test
    void aThreadPublisherFromReactorSeesTheTurnsNotificationsAndTakeUnsubscribes() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake)) {
            CodexThread thread = codex.startThread();
            List<ServerNotification> got = new CopyOnWriteArrayList<>();
            reactor.core.Disposable d = JdkFlowAdapter.flowPublisherToFlux(thread.publisher())
                    .limitRate(1)
                    .subscribe(got::add);
            thread.run("q");
            await().atMost(WAIT).until(() -> got.stream().anyMatch(n -> n instanceof ServerNotification.TurnCompleted));
            d.dispose();
            int seen = got.size();
            thread.run("again");
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> got.size() == seen);
        }
    }

    /** A plain Flow subscriber that requests nothing by itself. */
    static final class Recorder<T> implements Flow.Subscriber<T> {
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        final List<T> items = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean completed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
        }

        @Override
        public void onNext(T item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }
}
