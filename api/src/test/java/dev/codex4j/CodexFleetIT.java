package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of four real app-servers (the pinned CLI, each a child listening on a loopback WebSocket
 * with its own token, all on one mock model): 400 turns spread across them while one endpoint is
 * killed mid-run. Its turns fail with {@link ServerLostException} within a second, the others
 * finish, no thread is placed on it while it is down, and it comes back and takes turns again.
 */
@Timeout(120)
class CodexFleetIT {
    private static final int ENDPOINTS = 4;
    private static final int TURNS = 400;
    private static final int WORKERS = 16;
    private static final int VICTIM = 2;
    /** Each worker starts a new thread every this many turns (80 threads in all). */
    private static final int TURNS_PER_THREAD = 5;
    private OfflineCodex offline;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        // About 100 ms per turn, so that the kill lands in running turns.
        offline.server().defaultReply(r -> ModelReply.message("ok").deltas(10).eventDelay(Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    /** The app-server children of one endpoint, told apart by an environment variable (Linux /proc). */
    private static List<ProcessHandle> appServersOf(String endpoint) {
        return Leftovers.appServers().stream().filter(p -> {
            try {
                return Files.readString(Path.of("/proc/" + p.pid() + "/environ"), StandardCharsets.ISO_8859_1)
                        .contains("CODEX4J_FLEET_ENDPOINT=" + endpoint + "\0");
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    @Test
    void fourHundredTurnsOverFourEndpointsWhileOneIsKilled() throws Exception {
        CodexFleet.Builder b = CodexFleet.builder().maxTurnsPerEndpoint(8).admissionWait(Duration.ofSeconds(20))
                .supervision(Supervision.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1))
                        .build());
        for (int i = 0; i < ENDPOINTS; i++) {
            b.endpoint("e" + i, Codex.builder().launch(offline.launch()).listen(ListenAddress.webSocket())
                    .env("CODEX4J_FLEET_ENDPOINT", "e" + i));
        }
        Map<String, AtomicInteger> completedOn = new ConcurrentHashMap<>();
        List<Long> failedAfterKillMs = new CopyOnWriteArrayList<>();
        List<String> placedWhileDown = new CopyOnWriteArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger completedOnVictimAfterReturn = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicLong killedAt = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<CodexThread> victimThread = new java.util.concurrent.atomic.AtomicReference<>();
        List<ProcessHandle> seen = new ArrayList<>();
        long started = System.nanoTime();
        try (CodexFleet fleet = b.build()) {
            seen.addAll(Leftovers.appServers());
            assertEquals(ENDPOINTS, seen.size());
            CodexFleet.Endpoint victim = fleet.endpoints().get(VICTIM);
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    CodexThread t = null;
                    int onThread = 0;
                    while (next.getAndIncrement() < TURNS) {
                        try {
                            if (t == null || onThread++ == TURNS_PER_THREAD) {
                                boolean victimDown = victim.state() != Codex.State.CONNECTED;
                                t = fleet.startThread();
                                onThread = 1;
                                if (victimDown && fleet.endpointOf(t) == victim && victim.restarts() == 0) {
                                    placedWhileDown.add(t.id());
                                }
                            }
                            CodexFleet.Endpoint home = fleet.endpointOf(t);
                            boolean afterReturn = home == victim && victim.restarts() > 0;
                            assertEquals(Optional.of("ok"), t.run("turn").finalResponse());
                            completed.incrementAndGet();
                            if (home == victim && killedAt.get() == 0) {
                                victimThread.set(t); // saved by the server: a turn of it has completed
                            }
                            completedOn.computeIfAbsent(home.name(), k -> new AtomicInteger()).incrementAndGet();
                            if (afterReturn) {
                                completedOnVictimAfterReturn.incrementAndGet();
                            }
                        } catch (ServerLostException e) {
                            long k = killedAt.get();
                            failedAfterKillMs.add(k == 0 ? -1 : (System.nanoTime() - k) / 1_000_000);
                            // What a user does: a thread killed during its first turn was never saved and
                            // cannot be resumed (that later use would fail too), so go on in a new thread.
                            t = null;
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                }));
            }
            // Kill once a fifth of the turns are done and the victim holds a thread the server has saved.
            await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= TURNS / 5 && victimThread.get() != null);
            List<ProcessHandle> victims = appServersOf("e" + VICTIM);
            assertEquals(1, victims.size(), "the victim's child");
            killedAt.set(System.nanoTime());
            victims.forEach(ProcessHandle::destroyForcibly);
            for (Thread w : workers) {
                w.join(Duration.ofSeconds(90));
                assertFalse(w.isAlive(), "a worker is stuck");
            }
            assertEquals(List.of(), unexpected, "only ServerLostException may fail a turn");
            await().atMost(Duration.ofSeconds(20)).until(() -> victim.state() == Codex.State.CONNECTED);
            assertEquals(1, victim.restarts());
            assertEquals(List.of(), placedWhileDown, "no thread was placed on the victim while it was down");
            assertFalse(failedAfterKillMs.isEmpty(), "the kill hit running turns");
            assertTrue(failedAfterKillMs.stream().allMatch(ms -> ms >= 0 && ms <= 1_000),
                    "each lost turn failed within a second of the kill: " + failedAfterKillMs);
            assertEquals(TURNS, completed.get() + failedAfterKillMs.size());
            for (int i = 0; i < ENDPOINTS; i++) {
                assertTrue(completedOn.getOrDefault("e" + i, new AtomicInteger()).get() > 0, "e" + i + ": " + completedOn);
            }
            // A thread created on the victim before the kill lives there still: it is resumed on the new server.
            CodexThread old = victimThread.get();
            assertEquals(victim, fleet.endpointOf(old));
            assertEquals(Optional.of("ok"), old.run("after the victim came back").finalResponse());
            seen.addAll(Leftovers.appServers());
        }
        System.out.printf("CodexFleetIT: %d turns over %d endpoints in %d ms: completed %s, %d lost to the kill"
                        + " (failed %s ms after it), %d completed on the victim after it came back%n",
                TURNS, ENDPOINTS, (System.nanoTime() - started) / 1_000_000, completedOn, failedAfterKillMs.size(),
                failedAfterKillMs, completedOnVictimAfterReturn.get());
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().noneMatch(ProcessHandle::isAlive)
                && Leftovers.noSdkThreads());
    }

    @Test
    void aWrongTokenIsRefusedAndTheEndpointsBuiltSoFarAreClosed() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "right-token-0123456789abcdef");
        OfflineCodex.ListeningServer server = offline.startListening("ws://127.0.0.1:0", "--ws-auth", "capability-token",
                "--ws-token-file", token.toString());
        CodexFleet.Builder b = CodexFleet.builder()
                .endpoint("good", Codex.builder().connect(server.endpoint(), ServerAuth.capabilityToken(token)))
                .endpoint("bad", Codex.builder().connect(server.endpoint(), ServerAuth.capabilityToken(() -> "wrong")));
        AuthenticationException e = assertThrows(AuthenticationException.class, b::build);
        assertTrue(e.getMessage().contains("401") || e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("token"),
                e.getMessage());
        await().atMost(Duration.ofSeconds(5)).until(Leftovers::noSdkThreads);
    }
}
