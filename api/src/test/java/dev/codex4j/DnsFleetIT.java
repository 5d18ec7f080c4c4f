package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.ThreadReleasedException;
import dev.codex4j.testkit.RecordedRequest;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet whose endpoints come from a DNS name: three real app-servers (the pinned CLI on the mock
 * model) listen on one port of 127.0.0.2, 127.0.0.3 and 127.0.0.4, and the test's resolver answers
 * what the test says. An address added joins and takes new threads; an address removed is drained
 * (no new thread or turn there, its running turn finishes, then it is closed and its threads fail
 * typed); a failing resolver keeps the last good set and is logged once.
 */
@Timeout(90)
class DnsFleetIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private OfflineCodex offline;
    /** Kept strongly: java.util.logging holds loggers weakly. */
    private Logger fleetLog;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        offline.server().defaultReply(r -> ModelReply.message("ok"));
        fleetLog = Logger.getLogger(CodexFleet.class.getName());
        fleetLog.addHandler(capture);
    }

    @AfterEach
    void stop() {
        fleetLog.removeHandler(capture);
        offline.close();
    }

    private static List<String> names(CodexFleet fleet) {
        return fleet.endpoints().stream().map(CodexFleet.Endpoint::name).toList();
    }

    private static CodexFleet.Endpoint named(CodexFleet fleet, String name) {
        return fleet.endpoints().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private long warnings(String containing) {
        return logged.stream().filter(r -> r.getMessage().contains(containing)).count();
    }

    @Test
    void addressesJoinAndAreDrainedAsTheNameResolvesAndAFailedResolutionKeepsTheLastGoodSet() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "dns-fleet-token-" + System.nanoTime());
        String[] auth = {"--ws-auth", "capability-token", "--ws-token-file", token.toString()};
        int port = offline.startListening("ws://127.0.0.2:0", auth).endpoint().getPort();
        offline.startListening("ws://127.0.0.3:" + port, auth);
        offline.startListening("ws://127.0.0.4:" + port, auth);
        InetAddress a2 = InetAddress.getByName("127.0.0.2");
        InetAddress a3 = InetAddress.getByName("127.0.0.3");
        InetAddress a4 = InetAddress.getByName("127.0.0.4");
        String host = "codex-app-server.test";
        String e2 = host + "/127.0.0.2:" + port;
        String e3 = host + "/127.0.0.3:" + port;
        String e4 = host + "/127.0.0.4:" + port;

        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(a2, a3));
        AtomicBoolean outage = new AtomicBoolean();
        AtomicInteger lookups = new AtomicInteger();
        List<String> asked = new CopyOnWriteArrayList<>();
        DnsEndpoints.Resolver resolver = name -> {
            asked.add(name);
            lookups.incrementAndGet();
            if (outage.get()) {
                throw new UnknownHostException(name + ": the test's outage");
            }
            return answer.get();
        };
        DnsEndpoints dns = DnsEndpoints.builder(URI.create("ws://" + host + ":" + port), ServerAuth.capabilityToken(token))
                .refreshEvery(Duration.ofMillis(100)).resolver(resolver).build();

        try (CodexFleet fleet = CodexFleet.builder().endpoints(dns).admissionWait(Duration.ofSeconds(10)).build()) {
            assertEquals(List.of(e2, e3), names(fleet), "build() returns with the first answer connected");
            List<CodexThread> early = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                early.add(fleet.startThread());
            }
            assertEquals(List.of(e2, e3, e2, e3), early.stream().map(t -> fleet.endpointOf(t).name()).toList());

            // An address added joins, and the next new threads go to it (it has none yet).
            answer.set(List.of(a2, a3, a4));
            await().atMost(WAIT).until(() -> names(fleet).equals(List.of(e2, e3, e4)));
            List<CodexThread> onFour = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CodexThread t = fleet.startThread();
                assertEquals(e4, fleet.endpointOf(t).name());
                assertEquals(Optional.of("ok"), t.run("on the new endpoint").finalResponse());
                onFour.add(t);
            }

            // An address removed is drained: its running turn finishes, nothing new starts there.
            CodexThread onThree = early.get(1);
            CodexFleet.Endpoint three = named(fleet, e3);
            // One long turn on each endpoint: all three tie (two threads, one turn each), so only the
            // drain keeps the next new threads off 127.0.0.3.
            for (int i = 0; i < 3; i++) {
                offline.server().enqueue(ModelReply.message("slow").deltas(30).eventDelay(Duration.ofMillis(100)));
            }
            List<TurnHandle> others = List.of(early.get(0).turn("a long turn"), onFour.get(0).turn("a long turn"));
            TurnHandle running = onThree.turn("a long turn");
            fleet.endpoints().forEach(e -> assertEquals(1, e.activeTurns(), e.toString()));
            fleet.endpoints().forEach(e -> assertEquals(2, e.threads(), e.toString()));
            answer.set(List.of(a2, a4));
            await().atMost(WAIT).until(three::isDraining);
            assertFalse(running.isCompleted(), "the drain began while the turn ran (else the test proves nothing)");
            for (int i = 0; i < 6; i++) {
                assertNotEquals(e3, fleet.endpointOf(fleet.startThread()).name(), "a new thread on the drained endpoint");
            }
            CapacityExceededException refused = assertThrows(CapacityExceededException.class, () -> onThree.turn("more"));
            assertTrue(refused.getMessage().contains("Endpoint " + e3 + " was drained"), refused.getMessage());
            assertEquals(Optional.of("slow"), running.run().finalResponse(), "the running turn finished");
            for (TurnHandle h : others) {
                assertEquals(Optional.of("slow"), h.run().finalResponse());
            }
            await().atMost(WAIT).until(() -> !fleet.endpoints().contains(three));
            assertEquals(Codex.State.CLOSED, three.state());
            assertEquals(List.of(e2, e4), names(fleet));
            CodexException gone = assertThrows(CodexException.class, () -> fleet.resumeThread(onThree.id()));
            assertTrue(gone.getMessage().contains("lives on endpoint " + e3 + ", which was drained"), gone.getMessage());

            // The resolver fails: the last good set stays, one log line for many failed rounds.
            long before = warnings("Cannot resolve");
            assertEquals(0, before);
            outage.set(true);
            int seen = lookups.get();
            await().atMost(WAIT).until(() -> lookups.get() >= seen + 5);
            assertEquals(1, warnings("Cannot resolve"), "logged once: " + logged.stream().map(LogRecord::getMessage).toList());
            assertEquals(List.of(e2, e4), names(fleet));
            assertEquals(Optional.of("ok"), fleet.startThread().run("during the outage").finalResponse());
            outage.set(false);
            await().atMost(WAIT).until(() -> warnings("resolve again") == 1);
            assertTrue(asked.stream().allMatch(host::equals), "the resolver is asked the name's host: " + asked);
        }
        int afterClose = lookups.get();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> lookups.get() == afterClose);
    }

    /**
     * The servers of OfflineCodex share one CODEX_HOME: the thread of an endpoint whose pod went
     * away (killed, and its address gone from DNS) is resumed on another.
     */
    @Test
    void withSharedStorageAThreadOfADrainedEndpointIsResumedOnAnother() throws Exception {
        int port = offline.startListening("ws://127.0.0.2:0").endpoint().getPort();
        Process pod3 = offline.startListening("ws://127.0.0.3:" + port).process();
        InetAddress a2 = InetAddress.getByName("127.0.0.2");
        InetAddress a3 = InetAddress.getByName("127.0.0.3");
        String e2 = "codex-app-server.test/127.0.0.2:" + port;
        String e3 = "codex-app-server.test/127.0.0.3:" + port;
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(a2, a3));
        DnsEndpoints dns = DnsEndpoints.builder(URI.create("ws://codex-app-server.test:" + port), ServerAuth.none())
                .refreshEvery(Duration.ofMillis(100)).resolver(name -> answer.get()).build();
        try (CodexFleet fleet = CodexFleet.builder().endpoints(dns).sharedStorage(true).build()) {
            CodexThread onThree = fleet.startThread();
            if (!fleet.endpointOf(onThree).name().equals(e3)) {
                onThree = fleet.startThread(); // the rotation's next
            }
            assertEquals(e3, fleet.endpointOf(onThree).name());
            assertEquals(Optional.of("ok"), onThree.run("saved by its first turn").finalResponse());
            CodexFleet.Endpoint three = named(fleet, e3);
            pod3.destroyForcibly();
            answer.set(List.of(a2));
            await().atMost(WAIT).until(() -> !fleet.endpoints().contains(three));
            CodexThread moved = fleet.resumeThread(onThree.id());
            assertEquals(e2, fleet.endpointOf(moved).name());
            assertEquals(Optional.of("ok"), moved.run("on another endpoint").finalResponse());
        }
    }

    /** The model requests of the turn whose prompt was {@code prompt}: its user texts, the history included. */
    private List<String> userTextsOfTurn(String prompt) {
        return offline.server().requests().stream().filter(r -> prompt.equals(r.lastUserText())).findFirst()
                .map(RecordedRequest::userTexts).orElseThrow(() -> new AssertionError("no model request for " + prompt));
    }

    /**
     * A drained endpoint whose server still runs keeps its threads loaded (another server refuses to
     * resume one: "already has an active writer"). The fleet releases a thread there before resuming
     * it elsewhere (while the endpoint still drains), and releases the threads it remembers there
     * before it closes the endpoint's client; the thread's next turn on the other endpoint sees the
     * earlier turn's history, and the caller's old {@code CodexThread} fails typed instead of acting
     * on the released thread.
     */
    @Test
    void withSharedStorageTheThreadsOfADrainedEndpointWhoseServerStillRunsAreReleasedAndResumedOnAnother() throws Exception {
        int port = offline.startListening("ws://127.0.0.2:0").endpoint().getPort();
        Process pod3 = offline.startListening("ws://127.0.0.3:" + port).process();
        InetAddress a2 = InetAddress.getByName("127.0.0.2");
        InetAddress a3 = InetAddress.getByName("127.0.0.3");
        String e2 = "codex-app-server.test/127.0.0.2:" + port;
        String e3 = "codex-app-server.test/127.0.0.3:" + port;
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(a2, a3));
        DnsEndpoints dns = DnsEndpoints.builder(URI.create("ws://codex-app-server.test:" + port), ServerAuth.none())
                .refreshEvery(Duration.ofMillis(100)).resolver(name -> answer.get()).build();
        try (CodexFleet fleet = CodexFleet.builder().endpoints(dns).sharedStorage(true).build()) {
            List<CodexThread> onThree = new ArrayList<>();
            while (onThree.size() < 3) {
                CodexThread t = fleet.startThread();
                if (fleet.endpointOf(t).name().equals(e3)) {
                    onThree.add(t);
                }
            }
            CodexThread moving = onThree.get(0);
            CodexThread closing = onThree.get(1);
            assertEquals(Optional.of("ok"), moving.run("the word is zebra").finalResponse());
            assertEquals(Optional.of("ok"), closing.run("the word is yak").finalResponse());
            CodexFleet.Endpoint three = named(fleet, e3);

            // A long turn on the third thread keeps the drained endpoint open meanwhile.
            offline.server().enqueue(ModelReply.message("slow").deltas(40).eventDelay(Duration.ofMillis(100)));
            TurnHandle running = onThree.get(2).turn("a long turn");
            answer.set(List.of(a2));
            await().atMost(WAIT).until(three::isDraining);
            assertFalse(running.isCompleted(), "the endpoint still drains (else the resume below proves less)");

            // Released on the running server, then resumed on the other endpoint.
            CodexThread moved = fleet.resumeThread(moving.id());
            assertEquals(e2, fleet.endpointOf(moved).name());
            assertTrue(fleet.endpoints().contains(three), "resumed while its old endpoint still drained");
            assertEquals(Optional.of("ok"), moved.run("which word?").finalResponse());
            assertTrue(userTextsOfTurn("which word?").stream().anyMatch(t -> t.contains("the word is zebra")),
                    "the turn on the other endpoint sees the earlier turn: " + userTextsOfTurn("which word?"));
            // The caller's old object does not act on the released thread.
            ThreadReleasedException stale = assertThrows(ThreadReleasedException.class, () -> moving.run("on the old one"));
            assertEquals(moving.id(), stale.threadId());
            assertTrue(stale.getMessage().contains("released on endpoint " + e3) && stale.getMessage().contains(e2),
                    stale.getMessage());
            assertThrows(ThreadReleasedException.class, moving::read);

            // The drained endpoint is closed once idle: its remembered threads are released first.
            assertEquals(Optional.of("slow"), running.run().finalResponse());
            await().atMost(WAIT).until(() -> !fleet.endpoints().contains(three));
            assertTrue(pod3.isAlive(), "its server still runs");
            CodexThread reopened = fleet.resumeThread(closing.id());
            assertEquals(e2, fleet.endpointOf(reopened).name());
            assertEquals(Optional.of("ok"), reopened.run("which animal?").finalResponse());
            assertTrue(userTextsOfTurn("which animal?").stream().anyMatch(t -> t.contains("the word is yak")),
                    "the turn on the other endpoint sees the earlier turn: " + userTextsOfTurn("which animal?"));
        }
    }

    /**
     * The drained endpoint's server does not answer (stopped with SIGSTOP): the resume elsewhere
     * fails within the request timeout, typed, naming both endpoints and the step; the thread stays
     * the old endpoint's (its {@code CodexThread} is not released).
     */
    @Test
    void aReleaseTheDrainedServerDoesNotAnswerFailsTheResumeWithinTheRequestTimeoutNamingBothEndpoints() throws Exception {
        int port = offline.startListening("ws://127.0.0.2:0").endpoint().getPort();
        Process pod3 = offline.startListening("ws://127.0.0.3:" + port).process();
        InetAddress a2 = InetAddress.getByName("127.0.0.2");
        InetAddress a3 = InetAddress.getByName("127.0.0.3");
        String e2 = "codex-app-server.test/127.0.0.2:" + port;
        String e3 = "codex-app-server.test/127.0.0.3:" + port;
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(a2, a3));
        DnsEndpoints dns = DnsEndpoints.builder(URI.create("ws://codex-app-server.test:" + port), ServerAuth.none())
                .refreshEvery(Duration.ofMillis(100)).resolver(name -> answer.get())
                .configure(b -> b.requestTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(2))).build();
        try (CodexFleet fleet = CodexFleet.builder().endpoints(dns).sharedStorage(true).build()) {
            CodexThread onThree = fleet.startThread();
            if (!fleet.endpointOf(onThree).name().equals(e3)) {
                onThree = fleet.startThread(); // the rotation's next
            }
            assertEquals(e3, fleet.endpointOf(onThree).name());
            assertEquals(Optional.of("ok"), onThree.run("saved by its first turn").finalResponse());
            CodexFleet.Endpoint three = named(fleet, e3);
            // A long turn on another of its threads keeps the drained endpoint open.
            CodexThread busy = fleet.startThread();
            while (!fleet.endpointOf(busy).name().equals(e3)) {
                busy = fleet.startThread();
            }
            offline.server().enqueue(ModelReply.message("slow").deltas(100).eventDelay(Duration.ofMillis(100)));
            TurnHandle running = busy.turn("a long turn");
            answer.set(List.of(a2));
            await().atMost(WAIT).until(three::isDraining);
            signal("STOP", pod3);
            try {
                String id = onThree.id();
                long t0 = System.nanoTime();
                CodexException refused = assertThrows(CodexException.class, () -> fleet.resumeThread(id));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "bounded by the request timeout: " + took);
                String m = refused.getMessage();
                assertTrue(m.contains("Cannot release thread " + id + " on endpoint " + e3) && m.contains("endpoint " + e2)
                        && m.contains("thread/unsubscribe"), m);
                assertFalse(three.client().session().isReleased(id), "the thread is still its old endpoint's");
            } finally {
                signal("CONT", pod3);
            }
        }
    }

    /** Sends a signal to a server this test started (by its pid). */
    private static void signal(String name, Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }
}
