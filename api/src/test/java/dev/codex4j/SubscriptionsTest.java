package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Thread and global notifications in the public API, against the scripted fake app-server. */
class SubscriptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    /** A fake whose {@code test/emit} request writes {@code count} {@code configWarning}s, then answers. */
    private static FakeAppServer.Script emitting(int count) {
        return FakeAppServer.script().onRequest("test/emit", (req, out) -> {
            for (int i = 0; i < count; i++) {
                out.send(AppServerMessages.notification("configWarning",
                        ProtocolCodec.objectOf(Map.of("summary", "w" + i))));
            }
            out.respond(ProtocolCodec.emptyObject());
        });
    }

    @Test
    void aThreadSubscriptionGetsTheThreadsStatusAndTokenUsageTyped() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder())) {
            CodexThread thread = codex.startThread();
            List<ServerNotification> got = new CopyOnWriteArrayList<>();
            try (Subscription s = thread.subscribe(got::add)) {
                RunResult r = thread.run("q");
                await().atMost(WAIT).until(() -> got.stream().anyMatch(n -> n instanceof ServerNotification.TurnCompleted));
                assertTrue(got.stream().anyMatch(n -> n instanceof ServerNotification.ThreadStatusChanged), got.toString());
                ServerNotification.ThreadTokenUsageUpdated usage = got.stream()
                        .filter(ServerNotification.ThreadTokenUsageUpdated.class::isInstance)
                        .map(ServerNotification.ThreadTokenUsageUpdated.class::cast).findFirst().orElseThrow();
                assertEquals(r.turnId(), usage.params().turnId());
                assertEquals(0, s.dropped());
            }
        }
    }

    @Test
    void aGlobalSubscriptionGetsRateLimitsTypedButNotThreadNotifications() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = connect(fake, Codex.builder())) {
            List<ServerNotification> got = new CopyOnWriteArrayList<>();
            codex.subscribe(got::add);
            codex.startThread().run("q");
            await().atMost(WAIT).until(() -> got.stream().anyMatch(n -> n instanceof ServerNotification.AccountRateLimitsUpdated));
            assertTrue(got.stream().noneMatch(n -> n instanceof ServerNotification.ThreadStatusChanged), got.toString());
        }
    }

    @Test
    void aListenerThatNeverReturnsLosesTheOldestWaitingNotificationsAndCountsThem() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> stuck = new CopyOnWriteArrayList<>();
        try (FakeAppServer fake = FakeAppServer.inProcess(emitting(1).onRequest("test/more", (req, out) -> {
                    for (int i = 1; i <= 6; i++) {
                        out.send(AppServerMessages.notification("configWarning", ProtocolCodec.objectOf(Map.of("summary", "w" + i))));
                    }
                    out.respond(ProtocolCodec.emptyObject());
                }));
                Codex codex = connect(fake, Codex.builder().subscriptionBuffer(2))) {
            Subscription slow = codex.subscribe(n -> {
                stuck.add(((ServerNotification.ConfigWarning) n).params().summary());
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            codex.request("test/emit", ProtocolCodec.emptyObject());
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            codex.request("test/more", ProtocolCodec.emptyObject());
            await().atMost(WAIT).until(() -> slow.dropped() == 4);
            release.countDown();
            await().atMost(WAIT).until(() -> stuck.size() == 3);
            assertEquals(List.of("w0", "w5", "w6"), stuck);
        }
    }

    @Test
    void eventsCanBePulledAndAnUnknownMethodStaysTyped() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("test/emit", (req, out) -> {
            out.send(AppServerMessages.notification("brand/newThing", ProtocolCodec.objectOf(Map.of("x", 1))));
            out.respond(ProtocolCodec.emptyObject());
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Codex.builder());
                NotificationStream events = codex.events()) {
            codex.request("test/emit", ProtocolCodec.emptyObject());
            ServerNotification n = events.poll(WAIT).orElseThrow();
            ServerNotification.Unknown u = assertInstanceOf(ServerNotification.Unknown.class, n);
            assertEquals("brand/newThing", u.method());
        }
    }

    @Test
    void aClosedSubscriptionGetsNothingMore() {
        try (FakeAppServer fake = FakeAppServer.inProcess(emitting(1)); Codex codex = connect(fake, Codex.builder())) {
            List<ServerNotification> closed = new CopyOnWriteArrayList<>();
            List<ServerNotification> open = new CopyOnWriteArrayList<>();
            codex.subscribe(closed::add).close();
            codex.subscribe(open::add);
            codex.request("test/emit", ProtocolCodec.emptyObject());
            await().atMost(WAIT).until(() -> open.size() == 1);
            assertEquals(List.of(), closed);
        }
    }
}
