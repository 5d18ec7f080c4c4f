package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.RateLimitedException;
import dev.codex4j.errors.UsageLimitException;
import dev.codex4j.protocol.types.RateLimitSnapshot;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rate limits as types, against the fake app-server: a turn that fails on the account's usage limit
 * throws {@link UsageLimitException} with the limits and their reset time (from the
 * {@code account/rateLimits/updated} the server sends before the failure, as the real one does), and
 * the opt-in policy waits for that reset before the next turn, or refuses a turn whose reset is
 * further away than it waits, before anything is sent.
 */
class RateLimitsTest {
    private static ObjectNode usedUp(long resetsAtEpochSecond) {
        ObjectNode n = AppServerMessages.rateLimitsUpdated();
        ((ObjectNode) n.get("params").get("rateLimits")).putObject("primary").put("usedPercent", 100)
                .put("resetsAt", resetsAtEpochSecond).put("windowDurationMins", 300);
        return n;
    }

    /** The first turn fails on the usage limit (resetting at {@code resetsAt}); later ones answer, noting when they came. */
    private static FakeAppServer.Script limitThenAnswer(long resetsAt, AtomicReference<Instant> laterStart) {
        AtomicInteger turns = new AtomicInteger();
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            if (turns.getAndIncrement() == 0) {
                out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                out.send(usedUp(resetsAt));
                out.send(AppServerMessages.error(out.var("threadId"), out.var("turnId"),
                        "You've hit your usage limit.", "usageLimitExceeded", false));
                out.send(AppServerMessages.turnFailed(out.var("threadId"), out.var("turnId"),
                        "You've hit your usage limit.", "usageLimitExceeded"));
            } else {
                laterStart.set(Instant.now());
                out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                out.run(ScriptStep.simpleTurn("after the reset"));
            }
        });
    }

    private static Codex connect(FakeAppServer fake, Duration wait) {
        return Codex.builder().streams(fake.clientInput(), fake.clientOutput()).waitForRateLimitReset(wait).build();
    }

    @Test
    void aTurnOnAUsedUpLimitThrowsTypedAndTheWaitingPolicyWaitsForTheReset() {
        long resetsAt = Instant.now().getEpochSecond() + 2; // 1 to 2 s from now
        AtomicReference<Instant> secondStart = new AtomicReference<>();
        try (FakeAppServer fake = FakeAppServer.inProcess(limitThenAnswer(resetsAt, secondStart));
                Codex codex = connect(fake, Duration.ofSeconds(30))) {
            CodexThread thread = codex.startThread();
            UsageLimitException e = assertThrows(UsageLimitException.class, () -> thread.run("q"));
            assertEquals(Instant.ofEpochSecond(resetsAt), e.resetsAt().orElseThrow(), e.getMessage());
            assertFalse(e.isRateLimit());
            RateLimitSnapshot limits = e.limits().orElseThrow();
            assertEquals(100, limits.primary().usedPercent());
            assertEquals(TurnStatus.FAILED, e.result(RunResult.class).status());
            assertTrue(e.getMessage().contains("usageLimitExceeded") && e.getMessage().contains("resets at"),
                    e.getMessage());
            assertEquals(limits, codex.rateLimits().orElseThrow());

            RunResult r = thread.run("again"); // waits for the reset before sending turn/start
            assertEquals("after the reset", r.finalResponse().orElseThrow());
            assertFalse(secondStart.get().isBefore(Instant.ofEpochSecond(resetsAt)),
                    "turn/start came at " + secondStart.get() + ", before the reset at " + Instant.ofEpochSecond(resetsAt));
        }
    }

    @Test
    void aResetFurtherAwayThanTheWaitRefusesTheTurnBeforeSendingIt() {
        long resetsAt = Instant.now().getEpochSecond() + 3600;
        try (FakeAppServer fake = FakeAppServer.inProcess(limitThenAnswer(resetsAt, new AtomicReference<>()));
                Codex codex = connect(fake, Duration.ofSeconds(1))) {
            CodexThread thread = codex.startThread();
            assertThrows(UsageLimitException.class, () -> thread.run("q"));
            RateLimitedException e = assertThrows(RateLimitedException.class, () -> thread.run("again"));
            assertEquals(Instant.ofEpochSecond(resetsAt), e.resetsAt());
            assertEquals(Duration.ofSeconds(1), e.maxWait());
            assertEquals(1, fake.requests("turn/start").size(), "the refused turn was not sent");
        }
    }

    @Test
    void withoutThePolicyTheNextTurnIsSentAndTheLimitsAreReadTyped() {
        long resetsAt = Instant.now().getEpochSecond() + 3600;
        FakeAppServer.Script script = limitThenAnswer(resetsAt, new AtomicReference<>())
                .onRequest("account/rateLimits/read", ScriptStep.respond(readReply()));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Duration.ZERO)) {
            CodexThread thread = codex.startThread();
            assertThrows(UsageLimitException.class, () -> thread.run("q"));
            assertEquals("after the reset", thread.run("again").finalResponse().orElseThrow());
            RateLimitSnapshot read = codex.readRateLimits().rateLimits();
            assertEquals(42, read.primary().usedPercent());
            assertEquals(read, codex.rateLimits().orElseThrow());
        }
    }

    private static ObjectNode readReply() {
        ObjectNode limits = (ObjectNode) AppServerMessages.rateLimitsUpdated().get("params").get("rateLimits").deepCopy();
        limits.putObject("primary").put("usedPercent", 42).put("resetsAt", 1_900_000_000L).put("windowDurationMins", 300);
        ObjectNode reply = AppServerMessages.rateLimitsUpdated().deepCopy().removeAll();
        reply.set("rateLimits", limits);
        return reply;
    }
}
