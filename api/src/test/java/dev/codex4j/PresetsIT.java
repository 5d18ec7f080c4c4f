package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.GuardianRiskLevel;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.RecordedRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Approval and sandbox presets against the real Codex CLI: a read-only sandbox and a model that
 * asks to run {@code echo approved-run} outside it; the server's reviewer is the mock model too.
 */
class PresetsIT {
    /** How the server's auto-reviewer (a sub-agent) starts its prompt to the model (0.171.0). */
    static final String REVIEWER_PROMPT = "You are judging one planned coding-agent action";

    private OfflineCodex offline;
    private volatile String verdict = "allow";
    private final List<ApprovalRequest> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        offline = OfflineCodex.builder().approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY).start();
        offline.server().defaultReply(req -> {
            if (req.rawBody().contains(REVIEWER_PROMPT)) {
                return ModelReply.message("{\"risk_level\":\"low\",\"user_authorization\":\"high\",\"outcome\":\""
                        + verdict + "\",\"rationale\":\"the mock reviewer says " + verdict + "\"}");
            }
            return req.isToolFollowUp() ? ModelReply.message("after the command")
                    : ModelReply.execCommandEscalated("echo approved-run", "needs to leave the sandbox");
        });
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private Codex client() {
        return Codex.builder().launch(offline.launch()).approvalHandler(request -> {
            asked.add(request);
            return Decision.refuse();
        }).build();
    }

    private static List<TurnEvent> events(TurnHandle turn) {
        List<TurnEvent> all = new ArrayList<>();
        try (TurnEventStream events = turn.events()) {
            events.forEach(all::add);
        }
        return all;
    }

    private static boolean ran(RunResult r) {
        return r.items(ThreadItem.CommandExecution.class).stream()
                .anyMatch(c -> c.aggregatedOutput() != null && c.aggregatedOutput().contains("approved-run"));
    }

    private static RunResult result(List<TurnEvent> events) {
        return ((TurnEvent.Completed) events.getLast()).result();
    }

    @Test
    void autoReviewLetsTheServersReviewerApproveAndReportsTypedReviewEvents() {
        try (Codex codex = client()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalMode(ApprovalMode.AUTO_REVIEW).build());
            List<TurnEvent> events = events(thread.turn("run it"));
            TurnEvent.AutoReviewStarted started = events.stream().filter(TurnEvent.AutoReviewStarted.class::isInstance)
                    .map(TurnEvent.AutoReviewStarted.class::cast).findFirst().orElseThrow();
            TurnEvent.AutoReviewCompleted done = events.stream().filter(TurnEvent.AutoReviewCompleted.class::isInstance)
                    .map(TurnEvent.AutoReviewCompleted.class::cast).findFirst().orElseThrow();
            assertTrue(events.indexOf(started) < events.indexOf(done));
            assertEquals(started.review().reviewId(), done.review().reviewId());
            assertTrue(done.approved(), done.toString());
            assertEquals(GuardianRiskLevel.LOW, done.review().review().riskLevel());
            assertEquals("the mock reviewer says allow", done.review().review().rationale());
            assertTrue(ran(result(events)), "the approved command ran");
            assertEquals(List.of(), asked, "the client's handler is not asked what the reviewer decides");
        }
    }

    @Test
    void aTurnsAutoReviewDenialKeepsTheCommandFromRunning() {
        verdict = "deny";
        try (Codex codex = client()) {
            List<TurnEvent> events = events(codex.startThread().turn("run it",
                    TurnOptions.builder().approvalMode(ApprovalMode.AUTO_REVIEW).build()));
            TurnEvent.AutoReviewCompleted done = events.stream().filter(TurnEvent.AutoReviewCompleted.class::isInstance)
                    .map(TurnEvent.AutoReviewCompleted.class::cast).findFirst().orElseThrow();
            assertFalse(done.approved(), done.toString());
            assertFalse(ran(result(events)), "a denied command does not run");
            assertEquals(List.of(), asked);
        }
    }

    @Test
    void acceptAllRunsTheCommandThoughTheClientsHandlerRefuses() {
        try (Codex codex = client()) {
            RunResult r = codex.startThread().run("run it", TurnOptions.builder().approvalMode(ApprovalMode.ACCEPT_ALL).build());
            assertTrue(ran(r), "accepted by the preset");
            assertEquals(List.of(), asked, "ACCEPT_ALL answers instead of the client's handler");
        }
    }

    @Test
    void denyAllNeverAsksAndTheTurnGoesOnWithoutTheCommand() {
        try (Codex codex = client()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalMode(ApprovalMode.DENY_ALL).build());
            RunResult r = thread.run("run it");
            assertEquals(TurnStatus.COMPLETED, r.status(), "not cancelled, as refusing an approval does on 0.171.0");
            assertFalse(ran(r));
            assertEquals(List.of(), asked, "the server never asks");
            assertTrue(offline.server().requests().getFirst().rawBody().contains("Approval policy is currently never"));
        }
    }

    @Test
    void sandboxPresetsOnThreadAndTurnReachTheModelsPermissions() {
        offline.server().defaultReply(req -> ModelReply.message("ok"));
        try (Codex codex = client()) {
            Path extra = offline.workDir().resolveSibling("extra-root");
            CodexThread thread = codex.startThread(ThreadOptions.builder()
                    .sandboxPreset(SandboxPreset.workspaceWrite().withNetwork(true).withWritableRoots(extra)).build());
            thread.run("one");
            String first = permissions(offline.server().requests().getLast());
            assertTrue(first.contains("`sandbox_mode` is `workspace-write`"), first);
            assertTrue(first.contains("Network access is enabled"), first);
            assertTrue(first.contains(extra.toString()), first);

            thread.run("two", TurnOptions.builder().sandboxPreset(SandboxPreset.readOnly()).build());
            String second = permissions(offline.server().requests().getLast());
            assertTrue(second.contains("`sandbox_mode` is `read-only`"), second);
        }
    }

    /** The last permissions instructions the model was given (Codex repeats them when they change). */
    private static String permissions(RecordedRequest r) {
        String body = r.rawBody();
        int at = body.lastIndexOf("<permissions instructions>");
        return at < 0 ? "" : body.substring(at, body.indexOf("</permissions instructions>", at));
    }
}
