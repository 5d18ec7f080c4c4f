package dev.codex4j.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;
import dev.codex4j.RunResult;
import dev.codex4j.StoredApproval;
import dev.codex4j.errors.CodexException;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The store's guarantees against a real PostgreSQL, in one JVM. */
@Timeout(120)
class JdbcApprovalStoreTest {
    private final String prefix = Pg.newPrefix();

    private JdbcApprovalStore store(String owner, Duration lease) {
        return JdbcApprovalStore.builder(Pg.dataSource()).tablePrefix(prefix).owner(owner).leaseTtl(lease).build();
    }

    private static StoredApproval approval(String id, Duration timeout) {
        Instant now = Instant.now();
        return new StoredApproval(id, "ignored", "item/commandExecution/requestApproval", "7", "thr", "turn", "run ls",
                List.of("accept", "cancel"), now, now.plus(timeout), PendingApproval.State.PENDING, null, null);
    }

    @Test
    void sixteenConcurrentSettlementsHaveOneWinner() throws Exception {
        JdbcApprovalStore s = store("a", Duration.ofSeconds(30));
        s.renewLease();
        s.add(approval("a:a1", Duration.ofMinutes(1)));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                String decision = i % 2 == 0 ? "accept" : "cancel";
                results.add(pool.submit(() -> {
                    go.await();
                    return s.settle("a:a1", PendingApproval.State.RESOLVED, decision, "resolved");
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        }
        assertEquals(PendingApproval.State.RESOLVED, s.find("a:a1").orElseThrow().state());
        s.close();
    }

    @Test
    void aResolveAfterTheDeadlineLosesAndTheExpiryWinsOnce() {
        JdbcApprovalStore s = store("a", Duration.ofSeconds(30));
        s.renewLease();
        s.add(approval("a:a1", Duration.ofMillis(200)));
        Instant deadline = s.find("a:a1").orElseThrow().deadline();
        // wait for the deadline without touching the row (a resolve tried before it would rightly win)
        await().atMost(Duration.ofSeconds(10)).until(() -> deadline.plusMillis(50).isBefore(Instant.now()));
        assertFalse(s.settle("a:a1", PendingApproval.State.RESOLVED, "accept", "r"), "a resolve after the deadline loses");
        assertTrue(s.settle("a:a1", PendingApproval.State.EXPIRED, "refuse", "expired"));
        assertFalse(s.settle("a:a1", PendingApproval.State.EXPIRED, "refuse", "expired"), "once");
        assertEquals(PendingApproval.State.EXPIRED, s.find("a:a1").orElseThrow().state());
        s.close();
    }

    @Test
    void anInboxDeadlineRefusesAndALateResolveFromAnotherInstanceLoses() {
        try (ApprovalInbox owner = ApprovalInbox.builder().store(store("owner", Duration.ofSeconds(30)))
                        .deadline(Duration.ofMillis(400)).pollInterval(Duration.ofMillis(50)).build();
                ApprovalInbox other = ApprovalInbox.builder().store(store("other", Duration.ofSeconds(30))).build();
                FakeAppServer fake = FakeAppServer.inProcess(InboxOwner.script());
                Codex codex = Codex.builder().approvalInbox(owner).streams(fake.clientInput(), fake.clientOutput())
                        .build()) {
            CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
            PendingApproval p = owner.poll(Duration.ofSeconds(20)).orElseThrow();
            assertEquals("cancel", run.join().finalResponse().orElseThrow(), "refused at the deadline");
            assertEquals(PendingApproval.State.EXPIRED, p.state());
            assertFalse(other.resolve(p.id(), Decision.accept()));
            assertEquals(PendingApproval.State.EXPIRED, other.store().orElseThrow().find(p.id()).orElseThrow().state());
        }
    }

    @Test
    void aDecisionCarryingDataIsNotSentAcrossInstances() {
        try (ApprovalInbox other = ApprovalInbox.builder().store(store("other", Duration.ofSeconds(30))).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> other.resolve("x:a1", Decision.answers(java.util.Map.of())));
            assertTrue(e.getMessage().contains("across instances only a named decision"), e.getMessage());
            assertFalse(other.resolve("x:a1", Decision.accept()), "unknown id");
        }
    }

    @Test
    void anUnreachableDatabaseFailsTyped() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        CodexException e = assertThrows(CodexException.class, () -> JdbcApprovalStore.builder(nowhere).build());
        assertTrue(e.getMessage().contains("could not create the approval tables"), e.getMessage());
    }
}
