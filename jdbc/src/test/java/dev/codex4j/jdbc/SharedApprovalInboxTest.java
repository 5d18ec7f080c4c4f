package dev.codex4j.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.ApprovalInbox;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;
import dev.codex4j.StoredApproval;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of a backend in two JVMs sharing one real PostgreSQL: the child ({@link InboxOwner})
 * holds the server requests (testkit's fake app-server), this JVM lists and resolves them.
 */
@Timeout(120)
class SharedApprovalInboxTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String prefix = Pg.newPrefix();
    private final List<Child> children = new ArrayList<>();

    /** A child JVM and the lines it printed. */
    private static final class Child {
        final Process process;
        final PrintStream in;
        final LinkedBlockingQueue<String> parked = new LinkedBlockingQueue<>();
        final Map<String, String> resolved = new ConcurrentHashMap<>();
        final List<String> done = new java.util.concurrent.CopyOnWriteArrayList<>();

        Child(Process process) {
            this.process = process;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        String[] w = line.split(" ");
                        switch (w[0]) {
                            case "PARKED" -> parked.add(w[1]);
                            case "RESOLVED" -> resolved.put(w[1], w[2]);
                            case "DONE" -> done.add(w[2]);
                            default -> { }
                        }
                    }
                } catch (IOException e) {
                    // the child ended
                }
            });
        }

        String nextParked() throws InterruptedException {
            String id = parked.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (id == null) {
                throw new AssertionError("the child parked no approval in " + WAIT);
            }
            return id;
        }
    }

    private Child child(String owner, int turns) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), InboxOwner.class.getName(), Pg.jdbcUrl(), "postgres", prefix,
                owner, Integer.toString(turns));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Child c = new Child(pb.start());
        children.add(c);
        return c;
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Child c : children) {
            c.in.println("exit");
            if (!c.process.waitFor(10, TimeUnit.SECONDS)) {
                c.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private ApprovalInbox inbox(String owner) {
        return ApprovalInbox.builder().store(JdbcApprovalStore.builder(Pg.dataSource()).tablePrefix(prefix).owner(owner)
                .leaseTtl(Duration.ofSeconds(1)).build()).build();
    }

    @Test
    void oneJvmParksTheOtherResolvesAndTheCommandRuns() throws Exception {
        Child owner = child("owner", 1);
        String id = owner.nextParked();
        try (ApprovalInbox here = inbox("here")) {
            List<StoredApproval> shared = here.listShared();
            assertEquals(1, shared.size(), shared.toString());
            StoredApproval a = shared.getFirst();
            assertEquals(id, a.id());
            assertEquals("owner", a.owner());
            assertEquals("item/commandExecution/requestApproval", a.kind());
            assertEquals("run echo shared-inbox (needs approval)", a.summary());
            assertEquals(List.of("accept", "cancel"), a.offeredDecisions());
            assertTrue(here.list().isEmpty(), "not this instance's own");
            IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> here.resolve(id, Decision.decline()));
            assertTrue(wrong.getMessage().contains("offered accept, cancel"), wrong.getMessage());

            long t0 = System.nanoTime();
            assertTrue(here.resolve(id, Decision.accept()));
            await().atMost(WAIT).until(() -> owner.done.contains("accept"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5_000, "applied by the owner " + ms + " ms after the resolve (poll interval 50 ms)");
            assertFalse(here.resolve(id, Decision.cancel()), "settled once");
            StoredApproval after = here.store().orElseThrow().find(id).orElseThrow();
            assertEquals(PendingApproval.State.RESOLVED, after.state());
            assertEquals("accept", after.decision());
            assertEquals(List.of(), here.listShared());
        }
    }

    @Test
    void resolvesRacingFromBothJvmsHaveExactlyOneWinner() throws Exception {
        int rounds = 6;
        Child owner = child("owner", rounds);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ids.add(owner.nextParked());
        }
        try (ApprovalInbox here = inbox("here")) {
            int wonHere = 0;
            for (String id : ids) {
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<Boolean> mine = CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return here.resolve(id, Decision.accept());
                });
                owner.in.println("resolve " + id + " cancel"); // the owner resolves it itself, at once
                go.countDown();
                boolean hereWon = mine.get(30, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> owner.resolved.containsKey(id));
                boolean ownerWon = Boolean.parseBoolean(owner.resolved.get(id));
                assertNotEquals(hereWon, ownerWon, "exactly one winner for " + id);
                StoredApproval a = here.store().orElseThrow().find(id).orElseThrow();
                assertEquals(hereWon ? "accept" : "cancel", a.decision(), a.toString());
                wonHere += hereWon ? 1 : 0;
            }
            await().atMost(WAIT).until(() -> owner.done.size() == rounds);
            // each turn ran with its winner's decision
            assertEquals(wonHere, owner.done.stream().filter("accept"::equals).count(), owner.done.toString());
            assertEquals(rounds - wonHere, owner.done.stream().filter("cancel"::equals).count(), owner.done.toString());
        }
    }

    @Test
    void theOwnerKilledWhileApprovalsArePendingLeavesNonePending() throws Exception {
        Child owner = child("doomed", 3);
        List<String> ids = List.of(owner.nextParked(), owner.nextParked(), owner.nextParked());
        try (ApprovalInbox here = inbox("survivor")) {
            assertEquals(3, here.listShared().size());
            owner.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // its lease (1 s) runs out: the next listing cancels its approvals
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> here.listShared().isEmpty());
            for (String id : ids) {
                StoredApproval a = here.store().orElseThrow().find(id).orElseThrow();
                assertEquals(PendingApproval.State.CANCELLED, a.state());
                assertTrue(a.reason().contains("lease expired"), a.reason());
                assertFalse(here.resolve(id, Decision.accept()));
            }
        }
    }
}
