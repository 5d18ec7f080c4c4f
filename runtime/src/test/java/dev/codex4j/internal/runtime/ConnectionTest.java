package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.InvalidRequestException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.errors.ServerOverloadedException;
import dev.codex4j.errors.TransportClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class ConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private ScriptedPeer peer;
    private Connection connection;

    @BeforeEach
    void open() {
        peer = new ScriptedPeer();
        connection = Connection.open(peer.transport, ConnectionOptions.builder()
                .retryInitialDelay(Duration.ofMillis(5))
                .retryMaxDelay(Duration.ofMillis(20))
                .build());
    }

    @AfterEach
    void closeAll() throws Exception {
        connection.close();
        peer.close();
        assertEquals(List.of(), connection.liveThreads(), "threads left after close");
    }

    private static Throwable failure(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, () -> f.orTimeout(10, TimeUnit.SECONDS).join());
        return e.getCause();
    }

    @Test
    void requestGetsItsResult() throws Exception {
        CompletableFuture<JsonNode> f = connection.request("thread/start", ProtocolCodec.emptyObject());
        JsonRpcMessage.Request r = peer.nextRequest();
        assertEquals("thread/start", r.method());
        peer.send(Lines.result(r.id(), Lines.obj(Map.of("thread", Map.of("id", "t1")))));
        assertEquals("t1", f.get(5, TimeUnit.SECONDS).path("thread").path("id").asString());
    }

    @Test
    void notifyWritesANotification() throws Exception {
        connection.notify("initialized", ProtocolCodec.emptyObject());
        JsonRpcMessage m = peer.next();
        assertEquals("initialized", assertInstanceOf(JsonRpcMessage.Notification.class, m).method());
    }

    @Test
    void resultCallbacksNeverRunOnTheDispatcher() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        CompletableFuture<JsonNode> f = connection.request("x", ProtocolCodec.emptyObject());
        CompletableFuture<Void> done = f.thenAccept(r -> thread.set(Thread.currentThread().getName()));
        peer.send(Lines.result(peer.nextRequest().id(), ProtocolCodec.emptyObject()));
        done.get(5, TimeUnit.SECONDS);
        assertEquals("codex4j-callback", thread.get());
    }

    @Test
    void rpcErrorsBecomeTypedExceptions() throws Exception {
        CompletableFuture<JsonNode> f = connection.request("thread/resume", ProtocolCodec.emptyObject());
        peer.send(Lines.error(peer.nextRequest().id(), RpcError.INVALID_REQUEST, "no such thread"));
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, failure(f));
        assertEquals("thread/resume", e.method());
        assertEquals("no such thread", e.rpcMessage());
    }

    @Test
    void unansweredRequestTimesOut() {
        CompletableFuture<JsonNode> f = connection.request("model/list", ProtocolCodec.emptyObject(),
                Duration.ofMillis(200));
        RequestTimeoutException e = assertInstanceOf(RequestTimeoutException.class, failure(f));
        assertEquals("model/list", e.method());
        assertTrue(connection.isOpen(), "a timeout does not close the connection");
    }

    @Test
    void overloadRepliesAreRetriedThenSucceed() throws Exception {
        CompletableFuture<JsonNode> f = connection.request("thread/start", ProtocolCodec.emptyObject());
        List<RequestId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonRpcMessage.Request r = peer.nextRequest();
            assertEquals("thread/start", r.method());
            ids.add(r.id());
            peer.send(Lines.error(r.id(), RpcError.SERVER_OVERLOADED, "Server overloaded; retry later."));
        }
        JsonRpcMessage.Request last = peer.nextRequest();
        ids.add(last.id());
        peer.send(Lines.result(last.id(), Lines.obj(Map.of("ok", true))));
        assertTrue(f.get(5, TimeUnit.SECONDS).path("ok").asBoolean());
        assertEquals(4, ids.stream().distinct().count(), "each attempt has a new id: " + ids);
    }

    @Test
    void overloadRetriesGiveUpWithServerOverloaded() throws Exception {
        CompletableFuture<JsonNode> f = connection.request("turn/start", ProtocolCodec.emptyObject());
        for (int i = 0; i <= connection.options().overloadRetries(); i++) {
            peer.send(Lines.error(peer.nextRequest().id(), RpcError.SERVER_OVERLOADED, "Server overloaded; retry later."));
        }
        assertInstanceOf(ServerOverloadedException.class, failure(f));
    }

    @Test
    void otherErrorsAreNotRetried() throws Exception {
        CompletableFuture<JsonNode> f = connection.request("turn/start", ProtocolCodec.emptyObject());
        peer.send(Lines.error(peer.nextRequest().id(), -32000, "boom"));
        assertInstanceOf(CodexRpcException.class, failure(f));
        connection.notify("marker", ProtocolCodec.emptyObject());
        assertEquals("marker", ((JsonRpcMessage.Notification) peer.next()).method(), "no second attempt was sent");
    }

    @Test
    void earlyTurnCompletedIsDelivered() throws Exception {
        CompletableFuture<JsonNode> start = connection.request("turn/start", ProtocolCodec.emptyObject());
        RequestId id = peer.nextRequest().id();
        peer.send(Lines.turnEvent("turn/started", "th", "tu", 0));
        peer.send(Lines.turnEvent("item/agentMessage/delta", "th", "tu", 1));
        peer.send(Lines.turnCompleted("th", "tu"));
        peer.send(Lines.result(id, Lines.obj(Map.of("turn", Map.of("id", "tu")))));
        String turnId = start.get(5, TimeUnit.SECONDS).path("turn").path("id").asString();
        try (TurnMailbox box = connection.turnMailbox("th", turnId)) {
            assertEquals("turn/started", box.take(WAIT).method());
            assertEquals("item/agentMessage/delta", box.take(WAIT).method());
            assertEquals("turn/completed", box.take(WAIT).method());
        }
    }

    @Test
    void interleavedTurnsOnSeveralThreadsRouteExactly() throws Exception {
        int turns = 8;
        int perTurn = 500;
        List<String> order = new ArrayList<>();
        for (int t = 0; t < turns; t++) {
            for (int i = 0; i < perTurn; i++) {
                order.add(t + ":" + i);
            }
        }
        // A random interleaving that keeps each turn's own order.
        Collections.shuffle(order, new Random(42));
        int[] next = new int[turns];
        List<String> lines = new ArrayList<>();
        for (String slot : order) {
            int t = Integer.parseInt(slot.substring(0, slot.indexOf(':')));
            lines.add(Lines.turnEvent("item/agentMessage/delta", "thread-" + (t % 3), "turn-" + t, next[t]++));
        }
        for (int t = 0; t < turns; t++) {
            lines.add(Lines.turnCompleted("thread-" + (t % 3), "turn-" + t));
        }
        // Half the turns are claimed before anything arrives, half only while messages stream in.
        List<CompletableFuture<List<Integer>>> results = new ArrayList<>();
        CountDownLatch lateClaims = new CountDownLatch(1);
        for (int t = 0; t < turns; t++) {
            int turn = t;
            boolean early = t % 2 == 0;
            TurnMailbox earlyBox = early ? connection.turnMailbox("thread-" + (t % 3), "turn-" + t) : null;
            CompletableFuture<List<Integer>> r = new CompletableFuture<>();
            results.add(r);
            Thread.ofVirtual().start(() -> {
                try {
                    if (!early) {
                        lateClaims.await();
                    }
                    TurnMailbox box = early ? earlyBox : connection.turnMailbox("thread-" + (turn % 3), "turn-" + turn);
                    List<Integer> seen = new ArrayList<>();
                    for (;;) {
                        Inbound in = box.take(WAIT);
                        assertNotNull(in, "turn " + turn + " stalled after " + seen.size());
                        assertEquals("turn-" + turn, in.keys().turnId());
                        if ("turn/completed".equals(in.method())) {
                            break;
                        }
                        seen.add(Lines.seq(in));
                    }
                    box.close();
                    r.complete(seen);
                } catch (Throwable e) {
                    r.completeExceptionally(e);
                }
            });
        }
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < lines.size(); i++) {
                if (i == lines.size() / 3) {
                    lateClaims.countDown();
                }
                peer.send(lines.get(i));
            }
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perTurn; i++) {
            expected.add(i);
        }
        for (int t = 0; t < turns; t++) {
            assertEquals(expected, results.get(t).get(20, TimeUnit.SECONDS), "turn " + t);
        }
        writer.join();
        assertEquals(0, connection.heldBytes());
    }

    @Test
    void threadAndGlobalNotificationsReachTheirSubscribers() throws Exception {
        List<String> threadA = new CopyOnWriteArrayList<>();
        List<String> global = new CopyOnWriteArrayList<>();
        connection.subscribeThread("A", in -> threadA.add(in.method()));
        connection.subscribeGlobal(in -> global.add(in.method()));
        peer.send(Lines.threadEvent("thread/status/changed", "A"));
        peer.send(Lines.threadEvent("thread/status/changed", "B"));
        peer.send(Lines.globalEvent("account/rateLimits/updated"));
        peer.send(Lines.turnEvent("item/started", "A", "turn-x", 0));
        peer.send(Lines.threadEvent("thread/closed", "A"));
        await().atMost(WAIT).until(() -> threadA.size() == 2 && global.size() == 1);
        assertEquals(List.of("thread/status/changed", "thread/closed"), threadA);
        assertEquals(List.of("account/rateLimits/updated"), global);
    }

    @Test
    void slowListenerDelaysOnlyItself() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> fast = new CopyOnWriteArrayList<>();
        connection.subscribeGlobal(in -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        connection.subscribeGlobal(in -> fast.add(in.method()));
        for (int i = 0; i < 3; i++) {
            peer.send(Lines.globalEvent("configWarning"));
        }
        await().atMost(WAIT).until(() -> fast.size() == 3);
        release.countDown();
    }

    @Test
    void aListenerThatNeverReturnsLosesTheOldestWaitingMessagesAndCountsThem() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> got = new CopyOnWriteArrayList<>();
        Subscription s = connection.subscribeGlobal(in -> {
            got.add(in.method());
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 3);
        peer.send(Lines.globalEvent("m0"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        for (int i = 1; i <= 6; i++) {
            peer.send(Lines.globalEvent("m" + i));
        }
        await().atMost(WAIT).until(() -> s.dropped() == 3);
        release.countDown();
        await().atMost(WAIT).until(() -> got.size() == 4);
        assertEquals(List.of("m0", "m4", "m5", "m6"), got);
    }

    @Test
    void aThreadSubscriptionWithTurnsGetsCopiesOfItsTurnsNotifications() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        connection.subscribeThread("A", in -> got.add(in.method()), 100, true);
        TurnMailbox box = connection.turnMailbox("A", "T1");
        peer.send(Lines.turnEvent("item/started", "A", "T1", 0));
        peer.send(Lines.threadEvent("thread/status/changed", "A"));
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertEquals(List.of("item/started", "thread/status/changed"), got);
        assertEquals("item/started", box.take(WAIT).method());
    }

    @Test
    void closedSubscriptionReceivesNothingMore() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> witness = new CopyOnWriteArrayList<>();
        Subscription s = connection.subscribeThread("A", in -> got.add(in.method()));
        connection.subscribeThread("A", in -> witness.add(in.method()));
        peer.send(Lines.threadEvent("one", "A"));
        await().atMost(WAIT).until(() -> got.size() == 1);
        s.close();
        peer.send(Lines.threadEvent("two", "A"));
        await().atMost(WAIT).until(() -> witness.size() == 2);
        assertEquals(List.of("one"), got);
    }

    @Test
    void unhandledServerRequestGetsAnErrorReply() throws Exception {
        peer.send(Lines.serverRequest(0, "item/commandExecution/requestApproval", "th", "tu"));
        JsonRpcMessage.ErrorResponse reply = assertInstanceOf(JsonRpcMessage.ErrorResponse.class, peer.next());
        assertEquals(RequestId.of(0), reply.id());
        assertEquals(RpcError.METHOD_NOT_FOUND, reply.error().code());
        assertTrue(reply.error().message().contains("item/commandExecution/requestApproval"));
    }

    @Test
    void serverRequestIsAnsweredByTheReservationsHandlerForItsThreadOnly() throws Exception {
        connection.serverRequestHandler(r -> Lines.obj(Map.of("decision", "global")));
        connection.threadServerRequestHandler("th", r -> Lines.obj(Map.of("decision", "thread")));
        Reservation reservation = connection.tryReserveTurn("th", r -> Lines.obj(Map.of("decision", "accept")));
        assertNotNull(reservation);
        // Before the claim (the turn/start reply is in flight), any turn of the thread is its.
        peer.send(Lines.serverRequest(6, "item/commandExecution/requestApproval", "th", "tu"));
        assertEquals("accept", ((JsonRpcMessage.Response) peer.next()).result().path("decision").asString());
        reservation.claim("tu");
        peer.send(Lines.serverRequest(7, "item/commandExecution/requestApproval", "th", "tu"));
        JsonRpcMessage.Response reply = assertInstanceOf(JsonRpcMessage.Response.class, peer.next());
        assertEquals(RequestId.of(7), reply.id());
        assertEquals("accept", reply.result().path("decision").asString());

        peer.send(Lines.serverRequest(8, "item/fileChange/requestApproval", "th", "other-turn"));
        assertEquals("thread", ((JsonRpcMessage.Response) peer.next()).result().path("decision").asString());
        peer.send(Lines.serverRequest(9, "item/fileChange/requestApproval", "other-thread", "tu"));
        assertEquals("global", ((JsonRpcMessage.Response) peer.next()).result().path("decision").asString(),
                "a request of another thread naming the reserved turn's id does not reach its handler");
    }

    @Test
    void aThreadHasOneReservationUntilItsTurnEnds() throws Exception {
        Reservation first = connection.tryReserveTurn("th", null);
        assertNotNull(first);
        assertNull(connection.tryReserveTurn("th", null), "a second turn on the thread is refused");
        first.claim("tu");
        first.close(); // after the claim, only the turn's end releases it
        assertNull(connection.tryReserveTurn("th", null));
        peer.send(Lines.turnCompleted("th", "tu"));
        assertTrue(first.awaitRelease(WAIT));
        Reservation second = connection.tryReserveTurn("th", null);
        assertNotNull(second, "the turn ended: the thread takes a new one");
        second.close();
        assertNotNull(connection.tryReserveTurn("th", null), "an unclaimed reservation is released by close");
    }

    @Test
    void failingHandlerSendsAnErrorReply() throws Exception {
        connection.serverRequestHandler(r -> {
            if (r.id().equals(RequestId.of(1))) {
                throw new ServerRequestException(-32000, "declined by policy");
            }
            throw new IllegalStateException("handler bug");
        });
        peer.send(Lines.serverRequest(1, "a", "th", "tu"));
        JsonRpcMessage.ErrorResponse first = assertInstanceOf(JsonRpcMessage.ErrorResponse.class, peer.next());
        assertEquals(-32000, first.error().code());
        assertEquals("declined by policy", first.error().message());
        peer.send(Lines.serverRequest(2, "b", "th", "tu"));
        JsonRpcMessage.ErrorResponse second = assertInstanceOf(JsonRpcMessage.ErrorResponse.class, peer.next());
        assertEquals(RpcError.INTERNAL_ERROR, second.error().code());
        assertEquals("handler bug", second.error().message());
    }

    @Test
    void handlerBlockedForFiveSecondsDoesNotDelayAnotherTurn() throws Exception {
        CountDownLatch handlerEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        connection.threadServerRequestHandler("th1", r -> {
            handlerEntered.countDown();
            release.await(5, TimeUnit.SECONDS);
            return Lines.obj(Map.of("decision", "accept"));
        });
        TurnMailbox other = connection.turnMailbox("th2", "fast");
        peer.send(Lines.serverRequest(0, "item/commandExecution/requestApproval", "th1", "slow"));
        assertTrue(handlerEntered.await(5, TimeUnit.SECONDS));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            peer.send(Lines.turnEvent("item/agentMessage/delta", "th2", "fast", i));
        }
        peer.send(Lines.turnCompleted("th2", "fast"));
        await().atMost(Duration.ofSeconds(2)).until(() -> {
            Inbound in;
            while ((in = other.poll()) != null) {
                got.add(in.method());
            }
            return got.contains("turn/completed");
        });
        assertEquals(1, release.getCount(), "the other turn's events arrived while the handler was blocked");
        release.countDown();
        assertEquals(RequestId.of(0), ((JsonRpcMessage.Response) peer.next()).id());
    }

    @Test
    void garbageAndHugeLinesDoNotStopTheDispatcher() throws Exception {
        TurnMailbox box = connection.turnMailbox("th", "tu");
        peer.send("this is not json");
        peer.send("{}");
        peer.send("[1,2,3]");
        peer.send("{\"id\":1,\"result\":");
        peer.send("");
        String huge = "x".repeat(1 << 20);
        peer.send(ProtocolCodec.encode(new JsonRpcMessage.Notification("item/completed",
                Lines.obj(Map.of("threadId", "th", "turnId", "tu", "text", huge)), null)));
        peer.send(Lines.turnCompleted("th", "tu"));
        Inbound first = box.take(WAIT);
        assertNotNull(first);
        assertEquals(huge, ((JsonRpcMessage.Notification) first.message()).params().path("text").asString());
        assertEquals("turn/completed", box.take(WAIT).method());
        assertTrue(connection.isOpen());
    }

    @Test
    void takeReturnsNullOnTimeout() throws Exception {
        TurnMailbox box = connection.turnMailbox("th", "tu");
        long start = System.nanoTime();
        assertNull(box.take(Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        assertNull(box.poll());
    }

    @Test
    void drainToHandsOverABatchInOrder() throws Exception {
        TurnMailbox box = connection.turnMailbox("th", "tu");
        for (int i = 0; i < 10; i++) {
            peer.send(Lines.turnEvent("d", "th", "tu", i));
        }
        List<Integer> got = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            box.drainTo(in -> got.add(Lines.seq(in)), 4);
            return got.size() == 10;
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), got);
    }

    @Test
    void aTurnCanBeClaimedOnlyOnce() {
        connection.turnMailbox("th", "tu");
        assertThrows(IllegalStateException.class, () -> connection.turnMailbox("th", "tu"));
    }

    @Test
    void closedMailboxDropsLaterMessagesAndWakesItsConsumer() throws Exception {
        TurnMailbox box = connection.turnMailbox("th", "tu");
        CompletableFuture<Throwable> consumer = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                box.take(Duration.ofSeconds(30));
                consumer.complete(null);
            } catch (Throwable e) {
                consumer.complete(e);
            }
        });
        await().atMost(WAIT).until(() -> t.getState() == Thread.State.TIMED_WAITING);
        box.close();
        assertInstanceOf(IllegalStateException.class, consumer.get(5, TimeUnit.SECONDS));
        peer.send(Lines.turnEvent("late", "th", "tu", 0));
        peer.send(Lines.globalEvent("marker"));
        List<String> global = new CopyOnWriteArrayList<>();
        connection.subscribeGlobal(in -> global.add(in.method()));
        peer.send(Lines.globalEvent("marker2"));
        await().atMost(WAIT).until(() -> global.contains("marker2"));
        assertEquals(0, connection.heldBytes(), "nothing is held for a released turn");
    }

    @Test
    void peerHangUpFailsEveryWaiter() throws Exception {
        CompletableFuture<JsonNode> pendingRequest = connection.request("thread/start", ProtocolCodec.emptyObject());
        peer.nextRequest();
        TurnMailbox box = connection.turnMailbox("th", "tu");
        peer.send(Lines.turnEvent("turn/started", "th", "tu", 0));
        CompletableFuture<Throwable> consumer = new CompletableFuture<>();
        List<String> taken = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (;;) {
                    Inbound in = box.take(Duration.ofSeconds(30));
                    taken.add(in == null ? "timeout" : in.method());
                }
            } catch (Throwable e) {
                consumer.complete(e);
            }
        });
        connection.subscribeGlobal(in -> { });
        AtomicReference<TransportClosedException> closeReason = new AtomicReference<>();
        connection.onClose(closeReason::set);
        await().atMost(WAIT).until(() -> taken.size() == 1);
        long start = System.nanoTime();
        peer.hangUp();
        assertInstanceOf(TransportClosedException.class, failure(pendingRequest));
        assertInstanceOf(TransportClosedException.class, consumer.get(1, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "all waiters failed within 1 s");
        assertEquals(List.of("turn/started"), taken, "the message that arrived before is still delivered");
        await().atMost(WAIT).until(() -> closeReason.get() != null);
        assertFalse(connection.isOpen());
        assertNotNull(connection.closedCause());
        assertInstanceOf(TransportClosedException.class,
                failure(connection.request("after", ProtocolCodec.emptyObject())));
        assertThrows(TransportClosedException.class, () -> connection.notify("after", ProtocolCodec.emptyObject()));
        await().atMost(WAIT).until(() -> connection.liveThreads().stream()
                .noneMatch(th -> th.getName().equals("codex4j-global-listener")));
    }

    @Test
    void mailboxClaimedAfterTheConnectionDiedStillHandsOverWhatArrived() throws Exception {
        peer.send(Lines.turnEvent("turn/started", "th", "tu", 0));
        peer.send(Lines.turnCompleted("th", "tu"));
        await().atMost(WAIT).until(() -> connection.heldBytes() > 0 && connection.heldTurns() == 1);
        peer.hangUp();
        await().atMost(WAIT).until(() -> !connection.isOpen());
        TurnMailbox box = connection.turnMailbox("th", "tu");
        assertEquals("turn/started", box.take(WAIT).method());
        assertEquals("turn/completed", box.take(WAIT).method());
        assertThrows(TransportClosedException.class, () -> box.take(WAIT));
    }

    @Test
    void closeFailsEverythingAndLeavesNoThread() throws Exception {
        CompletableFuture<JsonNode> pendingRequest = connection.request("thread/start", ProtocolCodec.emptyObject());
        TurnMailbox box = connection.turnMailbox("th", "tu");
        connection.subscribeGlobal(in -> { });
        CountDownLatch never = new CountDownLatch(1);
        connection.serverRequestHandler(r -> {
            never.await();
            return ProtocolCodec.emptyObject();
        });
        peer.send(Lines.serverRequest(0, "item/tool/requestUserInput", "th", "tu"));
        await().atMost(WAIT).until(() -> connection.liveThreads().stream()
                .anyMatch(t -> t.getName().equals("codex4j-server-request")));
        connection.close();
        connection.close();
        assertInstanceOf(TransportClosedException.class, failure(pendingRequest));
        assertThrows(TransportClosedException.class, () -> box.take(WAIT));
        assertEquals(List.of(), connection.liveThreads());
    }

    @Test
    void closeListenerThatClosesDoesNotDelayClose() {
        CountDownLatch listenerRan = new CountDownLatch(1);
        connection.onClose(why -> {
            connection.close();
            listenerRan.countDown();
        });
        long start = System.nanoTime();
        connection.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "close waited for its own listener");
        assertEquals(0, listenerRan.getCount());
    }

    @Test
    void concurrentRequestsNeverInterleaveAndEachGetsItsOwnResult() throws Exception {
        int senders = 16;
        int perSender = 100;
        String padding = "p".repeat(20_000); // larger than a pipe buffer, so writes really overlap
        Thread server = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < senders * perSender; i++) {
                    JsonRpcMessage.Request r = peer.nextRequest(); // a torn line would not decode
                    peer.send(Lines.result(r.id(), Lines.obj(Map.of("echo", r.params().path("n").asInt()))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            clients.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perSender; i++) {
                    int n = sender * perSender + i;
                    CompletableFuture<Boolean> f = connection.request("echo", Lines.obj(Map.of("n", n, "pad", padding)))
                            .thenApply(r -> r.path("echo").asInt() == n);
                    synchronized (all) {
                        all.add(f);
                    }
                }
            }));
        }
        for (Thread c : clients) {
            c.join();
        }
        for (CompletableFuture<Boolean> f : all) {
            assertTrue(f.get(20, TimeUnit.SECONDS));
        }
        assertEquals(senders * perSender, all.size());
        server.join();
    }

    @Test
    void aPeerWhoseOutputEndsAtOnceFailsRequestsButNeverOpen() {
        for (int i = 0; i < 200; i++) {
            Connection c = Connection.open(new StreamTransport(java.io.InputStream.nullInputStream(),
                    java.io.OutputStream.nullOutputStream()));
            try {
                CompletionException e = assertThrows(CompletionException.class,
                        () -> c.request("thread/start", ProtocolCodec.emptyObject()).join());
                assertInstanceOf(TransportClosedException.class, e.getCause());
            } finally {
                c.close();
            }
        }
    }

    @Test
    void aWriteThatFindsTheOutputClosedEndsTheConnectionAsALoss() throws Exception {
        java.io.PipedOutputStream never = new java.io.PipedOutputStream();
        java.io.OutputStream closed = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Output closed");
            }
        };
        ConnectionOptions supervised = ConnectionOptions.builder().serverLostOnFailure(true).build();
        try (Connection c = Connection.open(new StreamTransport(new java.io.PipedInputStream(never), closed), supervised)) {
            CompletableFuture<?> f = c.request("thread/start", ProtocolCodec.emptyObject(), Duration.ofSeconds(5));
            CompletionException e = assertThrows(CompletionException.class, f::join);
            dev.codex4j.errors.ServerLostException lost =
                    assertInstanceOf(dev.codex4j.errors.ServerLostException.class, e.getCause());
            assertFalse(lost.retrySafe(), "the line may have left");
            assertFalse(c.isOpen(), "the connection ended with its link");
        } finally {
            never.close();
        }
    }
}
