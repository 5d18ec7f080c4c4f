package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadUnsubscribeStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import tools.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-thread spend is trimmed when a thread is archived or unsubscribed through the client:
 * the thread's spend and budget are forgotten, the client's total keeps what its turns spent.
 * Against the fake app-server, whose turns spend 110 tokens each.
 */
class SpendTrimTest {
    private static FakeAppServer.Script turnsOf110Tokens() {
        return FakeAppServer.script()
                .onRequest("turn/start", (req, out) -> {
                    out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                    out.send(AppServerMessages.tokenUsageUpdated(out.var("threadId"), out.var("turnId")));
                    out.send(AppServerMessages.turnCompleted(out.var("threadId"), out.var("turnId"), "completed"));
                })
                .onRequest("thread/archive", (req, out) -> out.respond(JsonNodeFactory.instance.objectNode()))
                .onRequest("thread/unsubscribe", (req, out) -> out.respond(JsonNodeFactory.instance.objectNode().put("status", "unsubscribed")));
    }

    @Test
    void archivingOrUnsubscribingForgetsTheThreadsSpendAndBudgetButNotTheClientTotal() {
        try (FakeAppServer fake = FakeAppServer.inProcess(turnsOf110Tokens());
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            CodexThread archived = codex.startThread();
            CodexThread unsubscribed = codex.startThread();
            CodexThread kept = codex.startThread();
            archived.budget(Budget.tokens(1_000));
            for (CodexThread t : new CodexThread[] {archived, unsubscribed, kept}) {
                t.run("spend");
                assertEquals(110, t.spend().tokens().totalTokens());
            }
            assertEquals(330, codex.spend().tokens().totalTokens());

            codex.archiveThread(archived.id());
            assertEquals(0, archived.spend().turns(), "forgotten: " + archived.spend());
            assertEquals(0, archived.spend().tokens().totalTokens());
            assertTrue(archived.budget().isEmpty(), "its budget is forgotten too");

            assertEquals(ThreadUnsubscribeStatus.UNSUBSCRIBED, unsubscribed.unsubscribe());
            assertEquals(0, unsubscribed.spend().turns(), "forgotten: " + unsubscribed.spend());

            assertEquals(110, kept.spend().tokens().totalTokens(), "other threads keep theirs");
            assertEquals(330, codex.spend().tokens().totalTokens(), "the client's total keeps every turn");
            assertEquals(3, codex.spend().turns());
        }
    }
}
