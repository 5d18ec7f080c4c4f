package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.AgentMessageDisplay;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * A turn's notifications as the generated types: what a newer server adds survives, a member that
 * changed costs only that member (strict at the member), and what does not bind reaches the
 * consumer typed, with the reason, instead of being dropped.
 */
class TypedTurnEventsTest {

    /** A fake whose turn/start is answered, then sends what {@code turn} writes for the thread and turn ids. */
    private static FakeAppServer fake(BiConsumer<String, List<ObjectNode>> turn) {
        return FakeAppServer.inProcess(FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            List<ObjectNode> messages = new ArrayList<>();
            turn.accept(out.var("threadId") + " " + out.var("turnId"), messages);
            messages.forEach(out::send);
        }));
    }

    private static String thread(String ids) {
        return ids.split(" ")[0];
    }

    private static String turn(String ids) {
        return ids.split(" ")[1];
    }

    private static List<TurnEvent> events(FakeAppServer fake) {
        try (Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build();
                TurnEventStream events = codex.startThread().turn("q").events()) {
            return events.stream().toList();
        }
    }

    private static ObjectNode item(ObjectNode itemEvent) {
        return (ObjectNode) itemEvent.get("params").get("item");
    }

    @Test
    void aNewerServersMembersItemKindsAndMethodsSurvive() {
        try (FakeAppServer fake = fake((ids, out) -> {
            ObjectNode answer = AppServerMessages.agentMessageCompleted(thread(ids), turn(ids), "m1", "kept", "final_answer");
            item(answer).putObject("display").put("style", "bold"); // a member this version does not know
            ObjectNode hologram = AppServerMessages.agentMessageCompleted(thread(ids), turn(ids), "h1", "", null);
            item(hologram).put("type", "hologram");                 // a kind of item this version does not know
            out.add(answer);
            out.add(hologram);
            out.add(AppServerMessages.notification("turn/hologram/updated",
                    dev.codex4j.protocol.ProtocolCodec.emptyObject().put("threadId", thread(ids)).put("turnId", turn(ids))));
            out.add(AppServerMessages.turnCompleted(thread(ids), turn(ids), "completed"));
        })) {
            List<TurnEvent> events = events(fake);
            RunResult r = assertInstanceOf(TurnEvent.Completed.class, events.getLast()).result();

            ThreadItem.AgentMessage m = r.items(ThreadItem.AgentMessage.class).getFirst();
            assertEquals("{\"style\":\"bold\"}", m.additionalProperties().get("display").toString());
            ThreadItem.Unknown h = r.items(ThreadItem.Unknown.class).getFirst();
            assertEquals("hologram", h.raw().path("type").asString());
            ServerNotification.Unknown n = events.stream().filter(e -> e instanceof TurnEvent.Notification)
                    .map(e -> ((TurnEvent.Notification) e).notification()).filter(ServerNotification.Unknown.class::isInstance)
                    .map(ServerNotification.Unknown.class::cast).findFirst().orElseThrow();
            assertEquals("turn/hologram/updated", n.method());
            assertEquals(Optional.of("kept"), r.finalResponse());
        }
    }

    @Test
    void aNotificationThatDoesNotBindArrivesAsUnknownWithItsReason() {
        try (FakeAppServer fake = fake((ids, out) -> {
            ObjectNode numberText = AppServerMessages.agentMessageCompleted(thread(ids), turn(ids), "m1", "x", null);
            item(numberText).put("text", 42);
            ObjectNode badUsage = AppServerMessages.tokenUsageUpdated(thread(ids), turn(ids));
            ((ObjectNode) badUsage.get("params")).put("tokenUsage", "lots");
            out.add(numberText);
            out.add(badUsage);
            out.add(AppServerMessages.turnCompleted(thread(ids), turn(ids), "completed"));
        })) {
            List<TurnEvent> events = events(fake);
            TurnEvent.ItemCompleted bad = events.stream().filter(TurnEvent.ItemCompleted.class::isInstance)
                    .map(TurnEvent.ItemCompleted.class::cast).findFirst().orElseThrow();
            ThreadItem.Unknown item = assertInstanceOf(ThreadItem.Unknown.class, bad.item());
            assertTrue(item.reason().contains("$.params.item.text"), item.reason());
            assertEquals(42, item.raw().path("text").asInt());
            ServerNotification.Unknown usage = events.stream().filter(e -> e instanceof TurnEvent.Notification o
                            && o.notification() instanceof ServerNotification.Unknown)
                    .map(e -> (ServerNotification.Unknown) ((TurnEvent.Notification) e).notification()).findFirst().orElseThrow();
            assertEquals("thread/tokenUsage/updated", usage.method());
            assertTrue(usage.reason().contains("$.params.tokenUsage"), usage.reason());
            RunResult r = assertInstanceOf(TurnEvent.Completed.class, events.getLast()).result();
            assertEquals(List.of(item), r.items(), "the unbound item is kept in the result");
            assertEquals(Optional.empty(), r.usage());
        }
    }

    @Test
    void anAgentMessageWithAMemberThatDoesNotBindStaysTypedAndGivesTheAnswer() {
        try (FakeAppServer fake = fake((ids, out) -> {
            ObjectNode answer = AppServerMessages.agentMessageCompleted(thread(ids), turn(ids), "m1", "the answer", "final_answer");
            item(answer).put("memoryCitation", "not an object");
            out.add(answer);
            ObjectNode completed = AppServerMessages.turnCompleted(thread(ids), turn(ids), "completed");
            ((ObjectNode) completed.get("params").get("turn")).withArray("items").add(item(answer).deepCopy());
            out.add(completed);
        }); Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            RunResult r = codex.startThread().run("q");
            assertEquals(Optional.of("the answer"), r.finalResponse());
            assertEquals(TurnStatus.COMPLETED, r.status(), "a turn/completed whose items do not bind still ends the turn");
            // Strict at the member: the item stays an agent message; only the changed member throws.
            ThreadItem.AgentMessage m = assertInstanceOf(ThreadItem.AgentMessage.class, r.items().getFirst());
            MemberNotBoundException e = assertThrows(MemberNotBoundException.class, m::memoryCitation);
            assertEquals("$.params.item.memoryCitation", e.path());
            assertEquals(List.of("the answer"), r.agentMessages());
        }
    }

    @Test
    void anAgentMessageWhoseModerationChangedInANewerCliIsAnAgentMessageForEventsUsers() {
        // The pinned "hide" display form without its required "replacement" (as 0.171.0 dropped 0.169.0's
        // required "action"), and a member it does not know: the item stays an AgentMessage.
        try (FakeAppServer fake = fake((ids, out) -> {
            ObjectNode answer = AppServerMessages.agentMessageCompleted(thread(ids), turn(ids), "m1", "the answer", "final_answer");
            ObjectNode display = item(answer).putObject("moderation").put("moderated", true).putObject("display");
            display.put("mode", "hide").put("version", 1).put("helpline", "wellbeingPromptHelpline");
            out.add(answer);
            out.add(AppServerMessages.turnCompleted(thread(ids), turn(ids), "completed"));
        })) {
            List<TurnEvent> events = events(fake);
            ThreadItem.AgentMessage m = events.stream().filter(TurnEvent.ItemCompleted.class::isInstance)
                    .map(e -> ((TurnEvent.ItemCompleted) e).item()).filter(ThreadItem.AgentMessage.class::isInstance)
                    .map(ThreadItem.AgentMessage.class::cast).findFirst().orElseThrow();
            assertEquals("the answer", m.text());
            var hide = assertInstanceOf(AgentMessageDisplay.Hide.class, m.moderation().display());
            MemberNotBoundException e = assertThrows(MemberNotBoundException.class, hide::replacement);
            assertEquals("$.params.item.moderation.display.replacement", e.path());
            assertEquals("wellbeingPromptHelpline", hide.additionalProperties().get("helpline").asString());
            RunResult r = assertInstanceOf(TurnEvent.Completed.class, events.getLast()).result();
            assertEquals(Optional.of("the answer"), r.finalResponse());
        }
    }

    @Test
    void aTurnCompletedWithoutAStatusFailsTheTurnSayingWhy() {
        try (FakeAppServer fake = fake((ids, out) -> {
            ObjectNode completed = AppServerMessages.turnCompleted(thread(ids), turn(ids), "completed");
            ((ObjectNode) completed.get("params").get("turn")).remove("status");
            out.add(completed);
        }); Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            TurnFailedException e = assertThrows(TurnFailedException.class, () -> codex.startThread().run("q"));
            assertTrue(e.getMessage().contains("does not bind") && e.getMessage().contains("$.params.turn.status"),
                    e.getMessage());
        }
    }

    @Test
    void aTurnStartReplyThatDoesNotBindStillGivesItsTurnToConsume() {
        // The turn runs on the server whatever its reply says: failing here would orphan it.
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            ObjectNode reply = AppServerMessages.turnStartResult(out.var("turnId"));
            ((ObjectNode) reply.get("turn")).put("status", 42);
            out.respond(reply);
            out.run(dev.codex4j.testkit.ScriptStep.simpleTurn("still consumed"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            assertEquals(Optional.of("still consumed"), codex.startThread().run("q").finalResponse());
        }
    }
}
