package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.TurnFailedException;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.ServerRequestException;
import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.CodexErrorInfo;
import dev.codex4j.protocol.types.Personality;
import dev.codex4j.protocol.types.ReasoningSummary;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.SandboxPolicy;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ValuesTest {
    private static JsonNode json(String s) {
        return ProtocolCodec.mapper().readTree(s);
    }

    private static JsonNode wire(Object params) {
        return TypedCodec.params(params);
    }

    @Test
    void runWithAStringSendsOneTextInput() {
        assertEquals(json("{\"type\":\"text\",\"text\":\"hi\"}"), wire(Inputs.text("hi")));
    }

    @Test
    void everyInputFactoryGivesTheGeneratedTypesWireForm() {
        assertEquals(json("{\"type\":\"image\",\"url\":\"data:image/png;base64,AA\"}"), wire(Inputs.image("data:image/png;base64,AA")));
        assertEquals(json("{\"type\":\"localImage\",\"path\":\"" + Path.of("a.png").toAbsolutePath() + "\"}"),
                wire(Inputs.localImage(Path.of("a.png"))));
        assertEquals(json("{\"type\":\"skill\",\"name\":\"s\",\"path\":\"/p/SKILL.md\"}"), wire(Inputs.skill("s", Path.of("/p/SKILL.md"))));
        assertEquals(json("{\"type\":\"mention\",\"name\":\"n\",\"path\":\"app://x\"}"), wire(Inputs.mention("n", "app://x")));
    }

    @Test
    void threadOptionsMapOntoTheGeneratedParamsAndSendNothingUnset() {
        assertEquals(json("{}"), wire(ThreadOptions.defaults().startParams()));
        ThreadOptions o = ThreadOptions.builder()
                .model("m").cwd(Path.of("/w")).approvalPolicy(AskForApproval.ON_REQUEST).sandbox(SandboxMode.READ_ONLY)
                .developerInstructions("d").ephemeral(true).config("model_reasoning_effort", "high")
                .startParams(p -> p.personality(Personality.PRAGMATIC))
                .build();
        assertEquals(json("{\"approvalPolicy\":\"on-request\",\"config\":{\"model_reasoning_effort\":\"high\"},"
                + "\"cwd\":\"/w\",\"developerInstructions\":\"d\",\"ephemeral\":true,\"model\":\"m\","
                + "\"personality\":\"pragmatic\",\"sandbox\":\"read-only\"}"), wire(o.startParams()));
        assertEquals(json("{\"approvalPolicy\":\"on-request\",\"config\":{\"model_reasoning_effort\":\"high\"},"
                + "\"cwd\":\"/w\",\"developerInstructions\":\"d\",\"ephemeral\":true,\"model\":\"m\","
                + "\"sandbox\":\"read-only\",\"threadId\":\"t\"}"), wire(o.forkParams("t")));
    }

    @Test
    void resumingWithEphemeralSetIsRefusedNotDropped() {
        ThreadOptions o = ThreadOptions.builder().ephemeral(false).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.resumeParams("t"));
        assertTrue(e.getMessage().contains("ephemeral"), e.getMessage());
        assertEquals(json("{\"threadId\":\"t\",\"model\":\"m\"}"),
                wire(ThreadOptions.builder().model("m").resumeParams(p -> p.threadId("other")).build().resumeParams("t")),
                "a customizer cannot move the resume to another thread");
    }

    @Test
    void turnOptionsMapOntoTurnStartParams() {
        TurnOptions o = TurnOptions.builder().effort("high").summary(ReasoningSummary.CONCISE)
                .sandbox(SandboxMode.WORKSPACE_WRITE).approvalPolicy(AskForApproval.NEVER)
                .params(p -> p.threadId("elsewhere").serviceTier("flex"))
                .build();
        assertEquals(json("{\"approvalPolicy\":\"never\",\"effort\":\"high\",\"input\":[{\"type\":\"text\",\"text\":\"q\"}],"
                + "\"sandboxPolicy\":{\"type\":\"workspaceWrite\"},\"serviceTier\":\"flex\",\"summary\":\"concise\","
                + "\"threadId\":\"t\"}"), wire(o.startParams("t", List.of(Inputs.text("q")))));
        assertEquals(SandboxPolicy.ReadOnly.builder().build(),
                TurnOptions.builder().sandbox(SandboxMode.READ_ONLY).build().sandboxPolicy());
        assertThrows(IllegalArgumentException.class, () -> TurnOptions.builder().sandbox(SandboxMode.of("brand-new")));
        assertThrows(IllegalArgumentException.class, () -> TurnOptions.builder().timeout(java.time.Duration.ZERO).build());
    }

    @Test
    void theThreeSettingsValuesMapTheirSharedFieldsAlike() {
        SandboxPreset readOnly = SandboxPreset.readOnly();
        ThreadSettings thread = ThreadSettings.builder().model("m").effort("high").summary(ReasoningSummary.CONCISE)
                .approvalMode(ApprovalMode.AUTO_REVIEW).sandboxPreset(readOnly).build();
        TurnOptions turn = TurnOptions.builder().model("m").effort("high").summary(ReasoningSummary.CONCISE)
                .approvalMode(ApprovalMode.AUTO_REVIEW).sandboxPreset(readOnly).build();
        TurnSettings running = TurnSettings.builder().model("m").effort("high").summary(ReasoningSummary.CONCISE)
                .approvalMode(ApprovalMode.AUTO_REVIEW).build();
        tools.jackson.databind.node.ObjectNode shared = (tools.jackson.databind.node.ObjectNode)
                json("{\"model\":\"m\",\"effort\":\"high\",\"summary\":\"concise\",\"threadId\":\"t\"}");
        shared.set("approvalPolicy", wire(TurnOptions.builder().approvalPolicy(AskForApproval.ON_REQUEST).build()
                .startParams("t", List.of())).get("approvalPolicy"));
        shared.set("approvalsReviewer", wire(TurnSettings.builder()
                .approvalsReviewer(ApprovalMode.AUTO_REVIEW.approvalsReviewer()).build().params("t", "u")).get("approvalsReviewer"));
        shared.set("sandboxPolicy", wire(readOnly.policy()));
        assertEquals(shared, wire(thread.params("t")));
        tools.jackson.databind.node.ObjectNode start = (tools.jackson.databind.node.ObjectNode)
                wire(turn.startParams("t", List.of(Inputs.text("q"))));
        start.remove("input");
        assertEquals(shared, start);
        tools.jackson.databind.node.ObjectNode update = shared.deepCopy();
        update.remove(List.of("approvalPolicy", "sandboxPolicy"));
        update.put("turnId", "u");
        assertEquals(update, wire(running.params("t", "u")), "a running turn takes the reviewer only");

        String fields = "model=m, effort=high, summary=" + ReasoningSummary.CONCISE + ", approvalMode=AUTO_REVIEW";
        assertTrue(thread.toString().startsWith("ThreadSettings[" + fields + ", sandboxPolicy="), thread.toString());
        assertTrue(turn.toString().startsWith("TurnOptions[" + fields + ", sandboxPolicy="), turn.toString());
        assertEquals("TurnSettings[model=m, effort=high, summary=" + ReasoningSummary.CONCISE
                + ", approvalsReviewer=" + ApprovalMode.AUTO_REVIEW.approvalsReviewer() + "]", running.toString());

        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> ThreadSettings.builder()
                .approvalMode(ApprovalMode.DENY_ALL).approvalPolicy(AskForApproval.NEVER).build());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> TurnOptions.builder()
                .approvalMode(ApprovalMode.DENY_ALL).approvalPolicy(AskForApproval.NEVER).build());
        assertEquals(a.getMessage(), b.getMessage());
        assertTrue(a.getMessage().contains("set one of them"), a.getMessage());
    }

    private static final String T = "th";
    private static final String U = "u";

    private static TurnEvent fold(TurnFold f, JsonNode message) {
        return f.accept(Inbound.of(ProtocolCodec.mapper().writeValueAsString(message)));
    }

    @Test
    void foldPicksTheLastFinalAnswerAndIgnoresUncompletedItems() {
        TurnFold f = new TurnFold(U, System.nanoTime());
        fold(f, AppServerMessages.agentMessageCompleted(T, U, "1", "c", "commentary"));
        fold(f, AppServerMessages.agentMessageCompleted(T, U, "2", "", null));
        fold(f, AppServerMessages.agentMessageCompleted(T, U, "3", "final", "final_answer"));
        fold(f, AppServerMessages.agentMessageStarted(T, U, "4", null));
        assertInstanceOf(TurnEvent.TokenUsage.class, fold(f, AppServerMessages.tokenUsageUpdated(T, U)));
        assertInstanceOf(TurnEvent.Completed.class, fold(f, AppServerMessages.turnCompleted(T, U, "completed")));
        RunResult r = f.result();
        assertEquals(Optional.of("final"), r.finalResponse());
        assertEquals(3, r.items(ThreadItem.AgentMessage.class).size());
        assertEquals(List.of("c", "", "final"), r.agentMessages());
        assertEquals(110, r.usage().orElseThrow().last().totalTokens());
        assertEquals(TurnStatus.COMPLETED, r.status());
    }

    @Test
    void emptyUnphasedMessageStillCountsAndCommentaryNever() {
        TurnFold f = new TurnFold(U, System.nanoTime());
        fold(f, AppServerMessages.agentMessageCompleted(T, U, "2", "", null));
        fold(f, AppServerMessages.agentMessageCompleted(T, U, "1", "c", "commentary"));
        fold(f, AppServerMessages.turnCompleted(T, U, "interrupted"));
        assertEquals(Optional.of(""), f.result().finalResponse());
        assertEquals(TurnStatus.INTERRUPTED, f.result().status());
    }

    @Test
    void failedTurnKeepsTheServersError() {
        TurnFold f = new TurnFold(U, System.nanoTime());
        TurnEvent.Error e = assertInstanceOf(TurnEvent.Error.class,
                fold(f, AppServerMessages.error(T, U, "boom", "internalServerError", false)));
        assertEquals(CodexErrorInfo.INTERNAL_SERVER_ERROR, e.error().codexErrorInfo());
        fold(f, AppServerMessages.turnFailed(T, U, "boom", "internalServerError"));
        assertEquals(TurnStatus.FAILED, f.result().status());
        assertEquals("boom", f.result().error().orElseThrow().message());
        TurnFailedException ex = new TurnFailedException(f.result().turnId(), f.result(), f.result().error().orElseThrow());
        assertEquals(Optional.of("internalServerError"), ex.codexErrorInfoName());
        assertTrue(ex.getMessage().endsWith("boom (internalServerError)"), ex.getMessage());
    }
}
