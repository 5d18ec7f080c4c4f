package dev.codex4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The real Codex CLI 0.169.0 against MockModelServer, driven by a raw JSON-RPC client. */
class RealCodexIT {
    private static final Duration TURN = Duration.ofSeconds(30);

    private static List<JsonNode> completedAgentMessages(RawRpcClient rpc, String turnId) {
        return rpc.notifications("item/completed").stream()
                .map(m -> m.get("params"))
                .filter(p -> turnId.equals(p.path("turnId").asString("")))
                .map(p -> p.get("item"))
                .filter(i -> "agentMessage".equals(i.path("type").asString("")))
                .toList();
    }

    @Test
    void plainTurnStreamsTheScriptedMessage() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(ModelReply.message("Hello from the mock model!"));
            rpc.initialize();
            String thread = rpc.startThread();
            String turn = rpc.startTurn(thread, "Say hello");
            JsonNode done = rpc.awaitTurnCompleted(turn, TURN);

            assertEquals("completed", done.path("turn").path("status").asString());
            List<JsonNode> messages = completedAgentMessages(rpc, turn);
            assertEquals(1, messages.size());
            assertEquals("Hello from the mock model!", messages.get(0).path("text").asString());
            assertEquals("final_answer", messages.get(0).path("phase").asString());
            String deltas = rpc.notifications("item/agentMessage/delta").stream()
                    .map(m -> m.path("params").path("delta").asString()).collect(Collectors.joining());
            assertEquals("Hello from the mock model!", deltas);
            RecordedRequest request = offline.server().takeRequest(Duration.ofSeconds(1));
            assertEquals("Say hello", request.lastUserText());
            assertEquals(thread, request.threadId().orElseThrow());
            assertEquals(OfflineCodex.MODEL, request.model());
        }
    }

    @Test
    void phasedTurnHasCommentaryThenFinalAnswer() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(ModelReply.commentary("Let me look.").thenMessage("All done."));
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "work");
            assertEquals("completed", rpc.awaitTurnCompleted(turn, TURN).path("turn").path("status").asString());

            List<JsonNode> messages = completedAgentMessages(rpc, turn);
            assertEquals(List.of("commentary", "final_answer"),
                    messages.stream().map(m -> m.path("phase").asString()).toList());
            assertEquals(List.of("Let me look.", "All done."),
                    messages.stream().map(m -> m.path("text").asString()).toList());
        }
    }

    @Test
    void escalatedShellCallAsksForApprovalAndRunsWhenAccepted() throws Exception {
        try (OfflineCodex offline = OfflineCodex.builder()
                        .approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY)
                        .start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(
                    ModelReply.execCommandEscalated("touch marker.txt && echo created-marker", "needs to write")
                            .callId("call_approve_1"),
                    ModelReply.message("Created the marker."));
            rpc.onServerRequest(req -> Json.object().put("decision", "accept"));
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "please create the marker");
            JsonNode done = rpc.awaitTurnCompleted(turn, TURN);

            JsonNode approval = rpc.await(m -> "item/commandExecution/requestApproval".equals(
                    m.path("method").asString("")), Duration.ZERO);
            assertEquals("needs to write", approval.path("params").path("reason").asString());
            assertEquals("call_approve_1", approval.path("params").path("itemId").asString());
            assertEquals("completed", done.path("turn").path("status").asString());
            assertTrue(Files.exists(offline.workDir().resolve("marker.txt")), "the accepted command ran");
            List<RecordedRequest> requests = offline.server().requests();
            assertEquals(2, requests.size());
            assertTrue(requests.get(1).isToolFollowUp());
            assertTrue(requests.get(1).toolOutput("call_approve_1").orElseThrow().contains("created-marker"));
            assertEquals("Created the marker.", completedAgentMessages(rpc, turn).get(0).path("text").asString());
        }
    }

    @Test
    void http500FailsTheTurn() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(ModelReply.httpError(500));
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "boom");
            JsonNode done = rpc.awaitTurnCompleted(turn, TURN);

            assertEquals("failed", done.path("turn").path("status").asString());
            JsonNode error = rpc.await(m -> "error".equals(m.path("method").asString("")), Duration.ZERO);
            assertEquals("internalServerError", error.path("params").path("error").path("codexErrorInfo").asString());
            assertFalse(error.path("params").path("willRetry").asBoolean());
        }
    }

    @Test
    void reasoningSummaryAndApplyPatchAreUnderstood() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(
                    ModelReply.reasoning("Thinking about files.")
                            .then(ModelReply.applyPatch("*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n")),
                    ModelReply.message("Patched."));
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "patch it");
            assertEquals("completed", rpc.awaitTurnCompleted(turn, TURN).path("turn").path("status").asString());

            List<String> types = rpc.notifications("item/completed").stream()
                    .map(m -> m.path("params").path("item").path("type").asString()).toList();
            assertTrue(types.contains("reasoning"), types.toString());
            assertTrue(types.contains("fileChange"), types.toString());
            assertTrue(Files.exists(offline.workDir().resolve("hello.txt")));
            assertTrue(offline.server().requests().get(1).isToolFollowUp());
        }
    }

    @Test
    void longStreamDeliversEveryDelta() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            ModelReply reply = ModelReply.longMessage(3000);
            offline.server().enqueue(reply);
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "long");
            assertEquals("completed", rpc.awaitTurnCompleted(turn, TURN).path("turn").path("status").asString());
            String text = completedAgentMessages(rpc, turn).get(0).path("text").asString();
            assertTrue(text.startsWith("w0 w1 ") && text.endsWith(" w2999"), text.substring(0, 20));
            String deltas = rpc.notifications("item/agentMessage/delta").stream()
                    .map(m -> m.path("params").path("delta").asString()).collect(Collectors.joining());
            assertEquals(text, deltas);
        }
    }

    @Test
    void responseFailedFailsTheTurn() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(ModelReply.failed("server_error", "the mock model gave up"));
            rpc.initialize();
            String turn = rpc.startTurn(rpc.startThread(), "fail");
            JsonNode done = rpc.awaitTurnCompleted(turn, TURN);
            assertEquals("failed", done.path("turn").path("status").asString());
        }
    }

    @Test
    void interruptEndsAStalledTurn() {
        try (OfflineCodex offline = OfflineCodex.start();
                RawRpcClient rpc = RawRpcClient.of(offline.startAppServer())) {
            offline.server().enqueue(ModelReply.stall());
            rpc.initialize();
            String thread = rpc.startThread();
            String turn = rpc.startTurn(thread, "wait forever");
            offline.server().takeRequest(Duration.ofSeconds(10));
            rpc.request("turn/interrupt", Json.object().put("threadId", thread).put("turnId", turn));
            assertEquals("interrupted", rpc.awaitTurnCompleted(turn, TURN).path("turn").path("status").asString());
        }
    }
}
