package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ExperimentalApiRequiredException;
import dev.codex4j.protocol.types.TurnSettingsUpdateStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Live settings of a thread and of its running turn, against the real Codex CLI. */
class LiveSettingsIT {
    private OfflineCodex offline;

    @BeforeEach
    void start() {
        // 0.171.0 takes turn/settings/update only with this feature on
        offline = OfflineCodex.builder().config("features.step_model_switching", "true").start();
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    @Test
    void threadSettingsChangeModelEffortApprovalsAndSandboxOfLaterTurns() {
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            CodexThread thread = codex.startThread();
            thread.run("one");
            thread.updateSettings(ThreadSettings.builder().model("other-model").effort("high")
                    .approvalMode(ApprovalMode.DENY_ALL).sandboxPreset(SandboxPreset.readOnly()).build());
            thread.run("two");
            RecordedRequest r = offline.server().requests().getLast();
            assertEquals("other-model", r.model());
            assertEquals("high", r.body().path("reasoning").path("effort").asString(""));
            assertTrue(r.rawBody().contains("`sandbox_mode` is `read-only`"), "the model is told the new sandbox");
            assertTrue(r.rawBody().contains("Approval policy is currently never"), "and the new approval policy");
        }
    }

    @Test
    void aSupervisedRestartKeepsTheThreadsLatestSettings() {
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true)
                .supervise(Supervision.builder().initialBackoff(Duration.ofMillis(20)).build()).build()) {
            // started with settings of its own, which thread/resume would send again
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalMode(ApprovalMode.ACCEPT_ALL)
                    .sandboxPreset(SandboxPreset.workspaceWrite()).build());
            thread.run("one"); // saved: a thread killed before its first turn cannot be resumed
            thread.updateSettings(ThreadSettings.builder().model("other-model").build());
            thread.updateSettings(ThreadSettings.builder().effort("high")
                    .approvalMode(ApprovalMode.DENY_ALL).sandboxPreset(SandboxPreset.readOnly()).build());
            List<ProcessHandle> children = Leftovers.appServers();
            assertEquals(1, children.size(), "one app-server: " + children);
            children.forEach(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(30)).until(() -> codex.restarts() == 1 && codex.isConnected());

            thread.run("after the restart");
            RecordedRequest r = offline.server().requests().getLast();
            assertEquals("other-model", r.model(), "the model of the first update");
            assertEquals("high", effort(r), "the effort of the second");
            assertTrue(r.rawBody().contains("`sandbox_mode` is `read-only`"), "the sandbox of the second");
            assertTrue(r.rawBody().contains("Approval policy is currently never"), "the approval policy of the second");
        }
    }

    @Test
    void aTurnsSettingsStayForTheThreadsLaterTurns() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalMode(ApprovalMode.ACCEPT_ALL)
                    .sandboxPreset(SandboxPreset.workspaceWrite()).build());
            thread.run("one", TurnOptions.builder().model("other-model").effort("high")
                    .approvalMode(ApprovalMode.DENY_ALL).sandboxPreset(SandboxPreset.readOnly()).build());
            thread.run("two: no options");
            // 0.171.0 keeps a turn/start's settings "for this turn and subsequent turns"
            assertTurnSettings(offline.server().requests().getLast());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "experimentalApi {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aSupervisedRestartKeepsTheSettingsATurnGave(boolean experimental) {
        // with the experimental API a thread/settings/update after the resume; without, the next turn/start
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(experimental)
                .supervise(Supervision.builder().initialBackoff(Duration.ofMillis(20)).build()).build()) {
            CodexThread thread = codex.startThread(ThreadOptions.builder().approvalMode(ApprovalMode.ACCEPT_ALL)
                    .sandboxPreset(SandboxPreset.workspaceWrite()).build());
            thread.run("one", TurnOptions.builder().model("other-model").effort("high")
                    .approvalMode(ApprovalMode.DENY_ALL).sandboxPreset(SandboxPreset.readOnly()).build());
            List<ProcessHandle> children = Leftovers.appServers();
            assertEquals(1, children.size(), "one app-server: " + children);
            children.forEach(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(30)).until(() -> codex.restarts() == 1 && codex.isConnected());

            thread.run("after the restart: no options");
            assertTurnSettings(offline.server().requests().getLast());
        }
    }

    /**
     * The request carries the turn's settings. The history holds the first turn's permissions
     * message, so the sandbox and approval policy are read from the latest one: the server adds one
     * when a turn's settings differ from the previous turn's (as they would, had it gone back to
     * the thread's workspace-write and on-request).
     */
    private static void assertTurnSettings(RecordedRequest r) {
        assertEquals("other-model", r.model(), "the turn's model");
        assertEquals("high", effort(r), "the turn's effort");
        assertEquals("read-only", latest(r.rawBody(), "`sandbox_mode` is `"), "the turn's sandbox");
        assertEquals("never", latest(r.rawBody(), "Approval policy is currently "), "the turn's approval policy");
    }

    /** The word after the last {@code prefix} in {@code body}, or "" when there is none. */
    private static String latest(String body, String prefix) {
        int at = body.lastIndexOf(prefix);
        if (at < 0) {
            return "";
        }
        int from = at + prefix.length();
        int end = from;
        while (end < body.length() && (Character.isLetterOrDigit(body.charAt(end)) || body.charAt(end) == '-')) {
            end++;
        }
        return body.substring(from, end);
    }

    @Test
    void theRunningTurnTakesNewSettingsAndLaterTurnsKeepTheThreads() throws InterruptedException {
        CountDownLatch changed = new CountDownLatch(1);
        offline.server().defaultReply(req -> {
            if (req.isToolFollowUp()) {
                return ModelReply.message("done");
            }
            try { // the turn's first step waits until the test has changed its settings
                changed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ModelReply.execCommand("echo step");
        });
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            CodexThread thread = codex.startThread();
            TurnHandle turn = thread.turn("two steps");
            // (the model too, but the mock catalog has one model: 0.171.0 refuses one it has no metadata for)
            TurnSettingsUpdateStatus status = turn.updateSettings(TurnSettings.builder().effort("high").build());
            changed.countDown();
            turn.run();
            assertEquals(TurnSettingsUpdateStatus.APPLIED, status);
            // 0.171.0 with the mock model: the turn's follow-up request did not show the new effort
            // (the server publishes it "for subsequent captures"; a later inference is not guaranteed)
            thread.run("next turn");
            assertNotEquals("high", effort(offline.server().requests().getLast()), "later turns keep the thread's effort");
        }
    }

    private static String effort(RecordedRequest r) {
        return r.body().path("reasoning").path("effort").asString("");
    }

    @Test
    void withoutTheExperimentalApiTheSdkRefusesBeforeSending() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread();
            var e = assertThrows(ExperimentalApiRequiredException.class,
                    () -> thread.updateSettings(ThreadSettings.builder().model("x").build()));
            assertEquals("thread/settings/update", e.feature());
            assertTrue(e.getMessage().contains("experimentalApi(true)"), e.getMessage());
        }
    }
}
