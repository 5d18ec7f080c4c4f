package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.ApprovalsReviewer;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.SandboxPolicy;
import dev.codex4j.protocol.types.ThreadStartParams;
import dev.codex4j.protocol.types.TurnStartParams;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the presets send: the protocol's params, built by the options (no server needed). */
class PresetsTest {

    @Test
    void anApprovalModeIsSentAsPolicyAndReviewerOnThreadsAndTurns() {
        ThreadStartParams t = ThreadOptions.builder().approvalMode(ApprovalMode.AUTO_REVIEW).build().startParams();
        assertEquals(AskForApproval.ON_REQUEST, t.approvalPolicy());
        assertEquals(ApprovalsReviewer.AUTO_REVIEW, t.approvalsReviewer());
        TurnStartParams u = TurnOptions.builder().approvalMode(ApprovalMode.DENY_ALL).build().startParams("t", List.of(Inputs.text("x")));
        assertEquals(AskForApproval.NEVER, u.approvalPolicy());
        assertEquals(ApprovalsReviewer.USER, u.approvalsReviewer());
        assertEquals(ApprovalsReviewer.AUTO_REVIEW, ThreadOptions.builder().approvalMode(ApprovalMode.AUTO_REVIEW).build()
                .forkParams("t").approvalsReviewer());
    }

    @Test
    void withoutPresetsNothingIsSent() {
        ThreadStartParams t = ThreadOptions.defaults().startParams();
        assertNull(t.approvalsReviewer());
        assertNull(t.approvalPolicy());
        assertNull(t.config());
    }

    @Test
    void aWorkspacePresetIsAModeAndConfigOnAThreadAndAPolicyOnATurn() {
        SandboxPreset p = SandboxPreset.workspaceWrite().withNetwork(true).withWritableRoots(Path.of("/data"));
        ThreadStartParams t = ThreadOptions.builder().sandboxPreset(p).build().startParams();
        assertEquals(SandboxMode.WORKSPACE_WRITE, t.sandbox());
        assertEquals(ProtocolCodec.mapper().readTree("""
                {"sandbox_workspace_write.network_access":true,"sandbox_workspace_write.writable_roots":["/data"]}"""),
                t.config());
        SandboxPolicy.WorkspaceWrite w = (SandboxPolicy.WorkspaceWrite) TurnOptions.builder().sandboxPreset(p).build()
                .startParams("t", List.of(Inputs.text("x"))).sandboxPolicy();
        assertEquals(true, w.networkAccess());
        assertEquals(List.of("/data"), w.writableRoots());
    }

    @Test
    void anExplicitConfigKeyWinsOverThePresets() {
        ThreadStartParams t = ThreadOptions.builder().sandboxPreset(SandboxPreset.workspaceWrite())
                .config("sandbox_workspace_write.network_access", true).build().startParams();
        assertEquals(true, t.config().path("sandbox_workspace_write.network_access").asBoolean());
    }

    @Test
    void aPresetAndTheRawSettingItSendsCannotBothBeSet() {
        var e = assertThrows(IllegalArgumentException.class, () -> ThreadOptions.builder()
                .approvalMode(ApprovalMode.ACCEPT_ALL).approvalPolicy(AskForApproval.NEVER).build());
        assertEquals(true, e.getMessage().contains("approval mode"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThreadOptions.builder()
                .sandboxPreset(SandboxPreset.readOnly()).sandbox(SandboxMode.READ_ONLY).build());
        assertThrows(IllegalArgumentException.class, () -> TurnOptions.builder()
                .approvalMode(ApprovalMode.DENY_ALL).approvalPolicy(AskForApproval.NEVER).build());
    }

    @Test
    void networkAndRootsApplyToTheWorkspacePresetOnly() {
        var e = assertThrows(IllegalStateException.class, () -> SandboxPreset.readOnly().withNetwork(true));
        assertEquals(true, e.getMessage().contains("workspaceWrite"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> SandboxPreset.fullAccess().withWritableRoots(Path.of("/x")));
    }
}
