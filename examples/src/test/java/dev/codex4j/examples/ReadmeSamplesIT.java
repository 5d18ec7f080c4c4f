package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Codex;
import dev.codex4j.Decision;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's approval sample, as written there, against what the real server sends. */
@Timeout(120)
class ReadmeSamplesIT {
    // --- as in README.md, "Approvals" ---
    // Only read-only git, run alone: no ;, &, |, $, backquotes, redirections or subshells.
    Pattern readOnlyGit = Pattern.compile("/bin/(ba)?sh -l?c '(git (status|diff|log)\\b[^;&|$`<>()']*)'");
    ApprovalHandler reviewer = request -> switch (request) {
        case ApprovalRequest.Command c when c.command() != null
                && readOnlyGit.matcher(c.command()).matches() -> Decision.accept();
        default -> Decision.refuse();  // decline if the server offers it, else cancel the turn
    };
    // --- end of the README's sample ---

    @Test
    void theSampleJudgesTheWholeCommandLineAsTheServerSendsIt() throws Exception {
        // As recorded from codex-cli 0.169.0 (item/commandExecution/requestApproval).
        assertInstanceOf(Decision.Refuse.class, decide("/bin/bash -c 'touch marker.txt && echo created-marker'"));
        assertInstanceOf(Decision.Accept.class, decide("/bin/bash -c 'git status --short'"));
        assertInstanceOf(Decision.Refuse.class, decide("/bin/bash -c 'git status; rm -rf ~'"));
        assertInstanceOf(Decision.Refuse.class, decide("/bin/bash -c 'git status $(rm x)'"));
    }

    @Test
    void throughTheRealCliTheGitCommandRunsAndTheOtherIsRefused() {
        List<String> asked = new CopyOnWriteArrayList<>();
        ApprovalHandler recording = request -> {
            if (request instanceof ApprovalRequest.Command c) {
                asked.add(c.command());
            }
            return reviewer.decide(request);
        };
        try (OfflineCodex offline = OfflineCodex.builder()
                .approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY)
                .start();
             Codex codex = Codex.builder().launch(offline.launch()).approvalHandler(recording).build()) {
            offline.server().defaultReply(r -> r.isToolFollowUp()
                    ? ModelReply.message("output: " + r.toolOutputs().getLast().path("output").asString("?"))
                    : ModelReply.execCommandEscalated(r.lastUserText(), "needs to run outside the sandbox"));
            var thread = codex.startThread(ThreadOptions.builder()
                    .approvalPolicy(AskForApproval.ON_REQUEST).sandbox(SandboxMode.READ_ONLY).build());

            RunResult git = thread.run("git status --short");
            RunResult touch = thread.run("touch marker.txt");

            assertEquals(List.of("/bin/bash -c 'git status --short'", "/bin/bash -c 'touch marker.txt'"), asked);
            assertTrue(!git.finalResponse().orElseThrow().contains("rejected"), git.finalResponse().orElseThrow());
            // 0.169.0 offers accept, an execpolicy amendment and cancel: the refusal is cancel.
            assertEquals("interrupted", touch.status().toString().toLowerCase(java.util.Locale.ROOT));
            assertTrue(!Files.exists(offline.workDir().resolve("marker.txt")));
        }
    }

    private Decision decide(String command) throws Exception {
        var params = ProtocolCodec.mapper().createObjectNode().put("threadId", "t").put("turnId", "u")
                .put("itemId", "i").put("startedAtMs", 1795528000152L).put("command", command).put("cwd", "/w");
        return reviewer.decide(ApprovalRequest.of("item/commandExecution/requestApproval", params));
    }
}
