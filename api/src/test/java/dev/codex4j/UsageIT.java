package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Per-turn usage against the real Codex CLI and the mock model: {@link RunResult#turnUsage()} equals
 * the tokens the mock reported for that turn's model calls, whatever the thread did before, on two
 * threads at once, and after a restart and resume.
 */
class UsageIT {
    private static final ModelReply.Usage A = new ModelReply.Usage(100, 20, 10, 3);
    private static final ModelReply.Usage B = new ModelReply.Usage(200, 50, 30, 7);
    private static final ModelReply.Usage C = new ModelReply.Usage(400, 300, 5, 0);
    private static final ModelReply.Usage D = new ModelReply.Usage(1000, 0, 70, 11);
    private static final ModelReply.Usage E = new ModelReply.Usage(3000, 1000, 90, 0);

    private static TokenCount tokens(ModelReply.Usage... calls) {
        TokenCount t = TokenCount.ZERO;
        for (ModelReply.Usage u : calls) {
            t = t.plus(new TokenCount(u.inputTokens(), u.cachedInputTokens(), u.outputTokens(),
                    u.reasoningOutputTokens(), u.totalTokens()));
        }
        return t;
    }

    @Test
    void aTurnsUsageIsItsOwnModelCallsAcrossCallsThreadsAndARestart() throws Exception {
        try (OfflineCodex offline = OfflineCodex.start()) {
            String threadId;
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                CodexThread one = codex.startThread();
                // two model calls in one turn: the tool call, then the answer after its output
                offline.server().when(r -> r.threadId().orElse("").equals(one.id()),
                        ModelReply.execCommand("echo hi").usage(A), ModelReply.message("done").usage(B));
                RunResult first = one.run("q");
                assertEquals(TurnStatus.COMPLETED, first.status());
                assertEquals(tokens(A, B), first.turnUsage().orElseThrow(), first.toString());
                assertEquals(tokens(A, B), first.threadUsage().orElseThrow());
                ContextWindow w = first.contextWindow().orElseThrow();
                assertEquals(B.totalTokens(), w.usedTokens());
                assertTrue(w.windowTokens() > 0 && w.fillRatio() < 1, w.toString());
                // the old accessor still says the last call and the thread's total
                assertEquals(B.inputTokens(), first.usage().orElseThrow().last().inputTokens());

                // two threads at once, their model calls interleaved (slow streams), the first with
                // two calls again; neither counts the other's
                CodexThread two = codex.startThread();
                offline.server().when(r -> r.threadId().orElse("").equals(one.id()),
                        ModelReply.execCommand("echo again").usage(C).eventDelay(Duration.ofMillis(15)),
                        ModelReply.message("one").usage(D).eventDelay(Duration.ofMillis(15)));
                offline.server().when(r -> r.threadId().orElse("").equals(two.id()),
                        ModelReply.message("two words here").usage(E).eventDelay(Duration.ofMillis(20)));
                CompletableFuture<RunResult> a = one.runAsync("again");
                CompletableFuture<RunResult> b = two.runAsync("other");
                RunResult ra = a.get(60, TimeUnit.SECONDS);
                RunResult rb = b.get(60, TimeUnit.SECONDS);
                assertEquals(tokens(C, D), ra.turnUsage().orElseThrow(), ra.toString());
                assertEquals(tokens(A, B, C, D), ra.threadUsage().orElseThrow());
                assertEquals(tokens(E), rb.turnUsage().orElseThrow(), rb.toString());
                assertEquals(tokens(E), rb.threadUsage().orElseThrow());
                threadId = one.id();
            }

            // a new app-server on the same CODEX_HOME: the resumed thread's next turn is its own call only
            try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
                CodexThread resumed = codex.resumeThread(threadId);
                offline.server().when(r -> r.threadId().orElse("").equals(threadId), ModelReply.message("back").usage(A));
                RunResult r = resumed.run("after restart");
                assertEquals(tokens(A), r.turnUsage().orElseThrow(), r.toString());
            }
        }
    }
}
