package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.sdk.ApprovalReplies;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.internal.runtime.ServerRequestException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.protocol.ServerRequestMethod;
import dev.codex4j.protocol.methods.ServerRequestMethods;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.NetworkPolicyAmendment;
import dev.codex4j.protocol.types.NetworkPolicyRuleAction;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Approvals: typed requests, the decisions the server offers, the fail-closed refusal, and the
 * exact replies (each checked by binding it strictly to the generated response type). Shapes the
 * mock model cannot make the real CLI send go through testkit's FakeAppServer.
 */
class ApprovalsTest {
    /** As recorded from codex-cli 0.169.0 (ApprovalsIT's escalated command). */
    static final String RECORDED_COMMAND = """
            {"kind":"command","threadId":"t1","turnId":"u1","itemId":"call_1","startedAtMs":1795528000152,
             "environmentId":"local","reason":"mock model wants to run this outside the sandbox",
             "command":"/bin/bash -c 'touch marker.txt && echo created-marker'","cwd":"/home/dev/workspace",
             "commandActions":[{"type":"unknown","command":"touch marker.txt && echo created-marker"}],
             "proposedExecpolicyAmendment":["touch","marker.txt"],
             "availableDecisions":["accept",{"acceptWithExecpolicyAmendment":{"execpolicy_amendment":["touch","marker.txt"]}},"cancel"]}""";

    private static JsonNode json(String s) {
        return ProtocolCodec.mapper().readTree(s);
    }

    private static ApprovalRequest command(String availableDecisions) {
        ObjectNode p = (ObjectNode) json(RECORDED_COMMAND);
        if (availableDecisions == null) {
            p.remove("availableDecisions");
        } else {
            p.set("availableDecisions", json(availableDecisions));
        }
        return ApprovalRequest.of("item/commandExecution/requestApproval", p);
    }

    /** The reply, after checking that it binds strictly to the generated response type of the method. */
    private static JsonNode reply(ApprovalRequest request, Decision decision) {
        JsonNode r = ApprovalReplies.result(request, decision);
        ServerRequestMethod<?, ?> m = ServerRequestMethods.byName(request.method());
        assertEquals(r, TypedCodec.params(TypedCodec.result(m, r)), "the reply is what " + m.resultType() + " binds");
        return r;
    }

    @Test
    void aRecordedCommandRequestIsTypedWithTheDecisionsTheServerOffered() {
        ApprovalRequest.Command c = assertInstanceOf(ApprovalRequest.Command.class, command(
                "[\"accept\",{\"acceptWithExecpolicyAmendment\":{\"execpolicy_amendment\":[\"touch\",\"marker.txt\"]}},\"cancel\"]"));
        assertEquals("/bin/bash -c 'touch marker.txt && echo created-marker'", c.command());
        assertEquals("t1", c.threadId());
        assertEquals(List.of("touch", "marker.txt"), c.params().proposedExecpolicyAmendment());
        assertEquals(List.of(Decision.accept(), Decision.acceptWithExecpolicyAmendment(List.of("touch", "marker.txt")),
                Decision.cancel()), c.availableDecisions());
        assertEquals(json(RECORDED_COMMAND), c.raw(), "raw keeps every member as sent");
    }

    @Test
    void aDecisionTheServerDidNotOfferIsAnErrorBeforeAnythingIsSent() {
        ApprovalRequest c = command("[\"accept\",\"cancel\"]");
        assertFalse(c.offers(Decision.decline()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApprovalReplies.result(c, Decision.decline()));
        assertEquals("decline is not an answer to item/commandExecution/requestApproval: the server offered accept, cancel;"
                + " Decision.refuse() answers with the safest of them", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApprovalReplies.result(c, Decision.acceptForSession()));
        assertThrows(IllegalArgumentException.class, () -> ApprovalReplies.result(c, Decision.toolResult(true, "x")));
    }

    @Test
    void refusePicksDeclineElseCancelElseAnErrorReply() {
        assertEquals(json("{\"decision\":\"decline\"}"), reply(command("[\"accept\",\"decline\",\"cancel\"]"), Decision.refuse()));
        assertEquals(json("{\"decision\":\"cancel\"}"), reply(command("[\"accept\",\"cancel\"]"), Decision.refuse()));
        ServerRequestException e = assertThrows(ServerRequestException.class,
                () -> ApprovalReplies.result(command("[\"accept\"]"), Decision.refuse()));
        assertEquals(RpcError.INTERNAL_ERROR, e.code());
        assertEquals(json("{\"decision\":\"decline\"}"), reply(command(null), Decision.refuse()), "no list: all fit");
    }

    @Test
    void amendmentDecisionsAreTypedAndOnlyTheOfferedOneFits() {
        ApprovalRequest c = command(
                "[\"accept\",{\"acceptWithExecpolicyAmendment\":{\"execpolicy_amendment\":[\"touch\",\"marker.txt\"]}},\"cancel\"]");
        assertEquals(json("{\"decision\":{\"acceptWithExecpolicyAmendment\":{\"execpolicy_amendment\":[\"touch\",\"marker.txt\"]}}}"),
                reply(c, Decision.acceptWithExecpolicyAmendment(List.of("touch", "marker.txt"))));
        assertFalse(c.offers(Decision.acceptWithExecpolicyAmendment(List.of("touch"))), "a wider prefix was not offered");

        NetworkPolicyAmendment allow = NetworkPolicyAmendment.builder().host("example.com")
                .action(NetworkPolicyRuleAction.ALLOW).build();
        assertEquals(json("{\"decision\":{\"applyNetworkPolicyAmendment\":{\"network_policy_amendment\":"
                + "{\"action\":\"allow\",\"host\":\"example.com\"}}}}"),
                reply(command(null), Decision.applyNetworkPolicyAmendment(allow)));
    }

    @Test
    void anOfferedDecisionThisSdkDoesNotKnowCanBeSentAsOffered() {
        ApprovalRequest c = command("[\"accept\",\"acceptTwice\",\"cancel\"]");
        Decision unknown = c.availableDecisions().get(1);
        assertEquals(Decision.raw(json("{\"decision\":\"acceptTwice\"}")), unknown);
        assertEquals(json("{\"decision\":\"acceptTwice\"}"), ApprovalReplies.result(c, unknown));
    }

    @Test
    void legacyDeclineIsDeniedWithARejectionNotTheBareString() {
        ApprovalRequest legacy = ApprovalRequest.of("execCommandApproval", json("""
                {"conversationId":"t1","callId":"c1","command":["ls","-l"],"cwd":"/w","parsedCmd":[]}"""));
        assertInstanceOf(ApprovalRequest.ExecCommandApproval.class, legacy);
        assertEquals("t1", legacy.threadId());
        assertEquals(json("{\"decision\":{\"denied\":{\"rejection\":\"rejected by user\"}}}"), reply(legacy, Decision.decline()));
        assertEquals(json("{\"decision\":\"abort\"}"), reply(legacy, Decision.cancel()));
        assertEquals(json("{\"decision\":\"approved_for_session\"}"), reply(legacy, Decision.acceptForSession()));
        assertEquals(json("{\"decision\":{\"approved_execpolicy_amendment\":{\"proposed_execpolicy_amendment\":[\"ls\"]}}}"),
                reply(legacy, Decision.acceptWithExecpolicyAmendment(List.of("ls"))));
        ApprovalRequest patch = ApprovalRequest.of("applyPatchApproval", json("""
                {"conversationId":"t1","callId":"c2","fileChanges":{}}"""));
        assertEquals(json("{\"decision\":\"approved\"}"), reply(patch, Decision.accept()));
        assertEquals(json("{\"decision\":{\"denied\":{\"rejection\":\"rejected by user\"}}}"), reply(patch, Decision.refuse()));
    }

    @Test
    void fileChangesAndElicitationsTakeTheirOwnDecisions() {
        ApprovalRequest f = ApprovalRequest.of("item/fileChange/requestApproval", json("""
                {"threadId":"t1","turnId":"u1","itemId":"i1","startedAtMs":1,"reason":"write"}"""));
        assertEquals(json("{\"decision\":\"acceptForSession\"}"), reply(f, Decision.acceptForSession()));
        assertEquals(json("{\"decision\":\"decline\"}"), reply(f, Decision.refuse()));
        ApprovalRequest.McpElicitation m = assertInstanceOf(ApprovalRequest.McpElicitation.class,
                ApprovalRequest.of("mcpServer/elicitation/request", json("""
                        {"serverName":"echo","threadId":"t1","turnId":null,"mode":"form","message":"Your name?",
                         "requestedSchema":{"type":"object","properties":{}}}""")));
        assertEquals("echo", m.serverName());
        assertEquals("Your name?", m.message());
        assertNull(m.turnId());
        assertEquals(json("{\"action\":\"accept\",\"content\":{}}"), reply(m, Decision.accept()));
        assertEquals(json("{\"action\":\"decline\"}"), reply(m, Decision.refuse()));
        assertEquals(json("{\"action\":\"cancel\"}"), reply(m, Decision.cancel()));
        assertFalse(m.offers(Decision.acceptForSession()));
    }

    static final String PERMISSIONS = """
            {"threadId":"${threadId}","turnId":"${turnId}","itemId":"call_p","startedAtMs":1,"cwd":"/w",
             "reason":"needs the network","permissions":{"network":{"enabled":true}}}""";

    @Test
    void permissionsAreGrantedForTheTurnOrTheSessionOrNotAtAll() {
        ApprovalRequest p = ApprovalRequest.of("item/permissions/requestApproval",
                json(PERMISSIONS.replace("${threadId}", "t1").replace("${turnId}", "u1")));
        assertEquals(json("{\"permissions\":{\"network\":{\"enabled\":true}},\"scope\":\"turn\"}"), reply(p, Decision.accept()));
        assertEquals(json("{\"permissions\":{\"network\":{\"enabled\":true}},\"scope\":\"session\"}"),
                reply(p, Decision.acceptForSession()));
        assertEquals(json("{\"permissions\":{}}"), reply(p, Decision.decline()));
        assertEquals(json("{\"permissions\":{}}"), reply(p, Decision.cancel()));
    }

    @Test
    void userInputAndToolCallsHaveTypedAnswersAndAreRefusedWithAnError() {
        ApprovalRequest q = ApprovalRequest.of("item/tool/requestUserInput", json("""
                {"threadId":"t1","turnId":"u1","itemId":"i1","isBlocking":true,
                 "questions":[{"id":"q1","header":"H","question":"Go?"}]}"""));
        assertEquals(json("{\"answers\":{\"q1\":{\"answers\":[\"yes\"]}}}"), reply(q, Decision.answers(Map.of("q1", List.of("yes")))));
        assertThrows(ServerRequestException.class, () -> ApprovalReplies.result(q, Decision.refuse()));
        ApprovalRequest call = ApprovalRequest.of("item/tool/call", json("""
                {"threadId":"t1","turnId":"u1","tool":"t","callId":"c","arguments":{}}"""));
        assertEquals(json("{\"success\":true,\"contentItems\":[{\"type\":\"inputText\",\"text\":\"42\"}]}"),
                reply(call, Decision.toolResult(true, "42")));
        assertThrows(IllegalArgumentException.class, () -> ApprovalReplies.result(call, Decision.accept()));
    }

    @Test
    void unknownRequestsAndParamsThatDoNotBindAreUnknownAndRefusedWithMethodNotFound() {
        ApprovalRequest.Unknown u = assertInstanceOf(ApprovalRequest.Unknown.class,
                ApprovalRequest.of("brand/new", json("{\"threadId\":\"t1\"}")));
        assertEquals("t1", u.threadId());
        ServerRequestException e = assertThrows(ServerRequestException.class, () -> ApprovalReplies.result(u, Decision.refuse()));
        assertEquals(RpcError.METHOD_NOT_FOUND, e.code());
        assertEquals(json("{\"ok\":1}"), ApprovalReplies.result(u, Decision.raw(json("{\"ok\":1}"))));

        ApprovalRequest.Unknown bad = assertInstanceOf(ApprovalRequest.Unknown.class,
                ApprovalRequest.of("item/commandExecution/requestApproval", json("{\"threadId\":42}")));
        assertTrue(bad.reason().contains("$.params.threadId"), bad.reason());
        assertInstanceOf(ApprovalRequest.Unknown.class, ApprovalRequest.of("currentTime/read", json("{}")));
    }

    @Test
    void theDefaultRefusesEverything() throws Exception {
        ApprovalHandler h = ApprovalHandler.declineAll();
        assertEquals(Decision.refuse(), h.decide(command(null)));
        assertEquals(Decision.refuse(), h.decide(ApprovalRequest.of("brand/new", json("{}"))));
    }

    // ---------------------------------------------------------------- over the wire (FakeAppServer)

    private static Codex connect(FakeAppServer fake, CodexBuilder b) {
        return b.streams(fake.clientInput(), fake.clientOutput()).build();
    }

    /** A turn that asks one command approval offering accept and cancel, and answers with the decision it got. */
    private static FakeAppServer.Script approvalThenAnswer() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            ObjectNode p = AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                    "rm -rf /", "dangerous");
            p.set("availableDecisions", json("[\"accept\",\"cancel\"]"));
            JsonNode reply = out.serverRequest("item/commandExecution/requestApproval", p, Duration.ofSeconds(10));
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : reply.has("error")
                    ? "error " + reply.path("error").path("code").asInt() : reply.path("result").path("decision").asString()));
        });
    }

    private static String decisionSent(ApprovalHandler handler) {
        try (FakeAppServer fake = FakeAppServer.inProcess(approvalThenAnswer());
                Codex codex = connect(fake, Codex.builder().approvalHandler(handler))) {
            return codex.startThread().run("q").finalResponse().orElseThrow();
        }
    }

    @Test
    void theDefaultCancelsACommandWhenTheServerOffersNoDecline() {
        assertEquals("cancel", decisionSent(ApprovalHandler.declineAll()));
    }

    @Test
    void aDecisionNotOfferedIsNeverSentTheRefusalIsAndItIsLogged() {
        try (Captured log = new Captured("dev.codex4j.ApprovalHandler")) {
            assertEquals("cancel", decisionSent(r -> Decision.decline()));
            assertTrue(log.records.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("decline is not an answer")), log.records.toString());
        }
    }

    @Test
    void aThrowingHandlerSendsTheRefusalAndIsLoggedAtWarning() {
        try (Captured log = new Captured("dev.codex4j.ApprovalHandler")) {
            assertEquals("cancel", decisionSent(r -> {
                throw new IllegalStateException("reviewer is down");
            }));
            assertTrue(log.records.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("item/commandExecution/requestApproval")
                    && r.getMessage().contains("reviewer is down")), log.records.toString());
        }
    }

    @Test
    void aHandlerThatTimesOutSendsTheRefusalAndIsInterrupted() {
        AtomicBoolean interrupted = new AtomicBoolean();
        ApprovalHandler stuck = r -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return Decision.accept();
        };
        assertEquals("cancel", decisionSent(stuck.withTimeout(Duration.ofMillis(200))));
        await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
    }

    @Test
    void theDefaultAnswersUserInputWithAnErrorReplyAndLogsNothing() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            JsonNode reply = out.serverRequest("item/tool/requestUserInput", json("""
                    {"threadId":"%s","turnId":"%s","itemId":"i1","isBlocking":true,
                     "questions":[{"id":"q1","header":"H","question":"Go?"}]}""".formatted(out.var("threadId"),
                    out.var("turnId"))), Duration.ofSeconds(10));
            out.run(ScriptStep.simpleTurn(reply == null ? "no reply" : "error " + reply.path("error").path("code").asInt()));
        });
        try (Captured log = new Captured("dev.codex4j.ApprovalHandler");
                FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder())) {
            assertEquals("error " + RpcError.INTERNAL_ERROR, codex.startThread().run("q").finalResponse().orElseThrow());
            assertEquals(List.of(), log.records, "the default's refusal is no failure");
        }
    }

    @Test
    void anAcceptedCommandIsAcceptedAsOffered() {
        assertEquals("accept", decisionSent(ApprovalHandler.acceptAll()));
    }

    @Test
    void cancellingAPermissionsRequestInterruptsTheTurnBeforeTheReply() {
        List<String> order = new CopyOnWriteArrayList<>();
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers()
                .onRequest("turn/interrupt", (req, out) -> {
                    order.add("turn/interrupt");
                    out.respond(ProtocolCodec.emptyObject());
                    out.send(AppServerMessages.turnCompleted(out.var("threadId"), out.var("turnId"), "interrupted"));
                })
                .onRequest("turn/start", (req, out) -> {
                    out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
                    JsonNode params = json(PERMISSIONS.replace("${threadId}", out.var("threadId"))
                            .replace("${turnId}", out.var("turnId")));
                    JsonNode reply = out.serverRequest("item/permissions/requestApproval", params, Duration.ofSeconds(10));
                    order.add("reply " + (reply == null ? null : reply.path("result")));
                });
        try (FakeAppServer fake = FakeAppServer.inProcess(script);
                Codex codex = connect(fake, Codex.builder().approvalHandler(r -> Decision.cancel()))) {
            RunResult r = codex.startThread().run("q");
            assertEquals(TurnStatus.INTERRUPTED, r.status());
            await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
            assertEquals(List.of("turn/interrupt", "reply {\"permissions\":{}}"), order);
        }
    }

    static final class Captured extends Handler implements AutoCloseable {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger logger;

        Captured(String name) {
            logger = Logger.getLogger(name);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
