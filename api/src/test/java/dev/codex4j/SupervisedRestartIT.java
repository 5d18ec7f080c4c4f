package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ServerLostException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Supervised restart against the real Codex CLI (offline, testkit's mock model): the app-server is
 * killed ten times while turns run. Each turn completes or fails with {@link ServerLostException}
 * within a second of the kill; after each restart a thread made before the first kill runs a turn;
 * after close no process and no thread is left.
 */
@Timeout(180)
class SupervisedRestartIT {
    private static final int KILLS = 10;
    private static final int TURNS_PER_ROUND = 4;
    private OfflineCodex offline;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        // Each turn streams for about half a second, so that kills land in running turns.
        offline.server().defaultReply(r -> ModelReply.message("ok").deltas(25).eventDelay(Duration.ofMillis(20)));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    @Test
    void killsInALoopWhileTurnsRun() {
        List<ProcessHandle> seen = new ArrayList<>();
        List<Long> failMillis = new ArrayList<>();
        int completed = 0;
        int lost = 0;
        try (Codex codex = Codex.builder().launch(offline.launch())
                .supervise(Supervision.builder().initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(500))
                        .maxRestarts(KILLS + 5, Duration.ofMinutes(5)).build())
                .build()) {
            CodexThread old = codex.startThread();
            assertEquals(Optional.of("ok"), old.run("before any kill").finalResponse());
            for (int round = 0; round < KILLS; round++) {
                List<CompletableFuture<RunResult>> turns = new ArrayList<>();
                List<AtomicLong> ended = new ArrayList<>();
                for (int i = 0; i < TURNS_PER_ROUND; i++) {
                    AtomicLong at = new AtomicLong();
                    ended.add(at);
                    turns.add(codex.startThread().runAsync("round " + round + " turn " + i)
                            .whenComplete((r, e) -> at.set(System.nanoTime())));
                }
                int requestsBefore = offline.server().requestCount();
                await().atMost(Duration.ofSeconds(20)).until(() -> offline.server().requestCount() >= requestsBefore + 2);
                List<ProcessHandle> children = Leftovers.appServers();
                assertEquals(1, children.size(), "one app-server: " + children);
                seen.addAll(children);
                long killedAt = System.nanoTime();
                children.forEach(ProcessHandle::destroyForcibly);
                for (int i = 0; i < turns.size(); i++) {
                    try {
                        turns.get(i).join();
                        completed++;
                    } catch (RuntimeException e) {
                        ServerLostException sle = assertInstanceOf(ServerLostException.class, e.getCause(), e.toString());
                        assertFalse(sle.retrySafe(), "a started turn is never retry-safe");
                        long ms = (ended.get(i).get() - killedAt) / 1_000_000;
                        failMillis.add(ms);
                        assertTrue(ms <= 1_000, "failed " + ms + " ms after the kill");
                        lost++;
                    }
                }
                await().atMost(Duration.ofSeconds(30)).until(codex::isConnected);
                assertEquals(Optional.of("ok"), old.run("after kill " + round).finalResponse(),
                        "a thread from before the first kill works after restart " + (round + 1));
            }
            assertEquals(KILLS, codex.restarts());
            seen.addAll(Leftovers.appServers());
        }
        assertTrue(lost > 0, "some turns were running at a kill (completed " + completed + ", lost " + lost + ")");
        System.out.printf("SupervisedRestartIT: %d kills, %d turns completed, %d lost; failure after kill: max %d ms%n",
                KILLS, completed, lost, failMillis.stream().mapToLong(Long::longValue).max().orElse(-1));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().noneMatch(ProcessHandle::isAlive)
                && Leftovers.noSdkThreads());
    }
}
