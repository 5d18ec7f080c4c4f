package dev.codex4j.examples;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Decision;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.TurnOptions;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Approvals answered by code (a policy that allows only {@code echo}) and by a person at the
 * terminal ({@code CODEX4J_ASK=1 scripts/example approvals}, or the argument {@code --ask}).
 */
public final class Approvals {
    private Approvals() {}

    /** @param args {@code --ask} to answer at the terminal */
    public static void main(String[] args) {
        boolean ask = (args.length > 0 && args[0].equals("--ask")) || "1".equals(System.getenv("CODEX4J_ASK"));
        ApprovalHandler byCode = request -> switch (request) {
            case ApprovalRequest.Command c when c.command() != null && c.command().contains("echo") -> {
                System.out.println("[policy] accepting: " + c.command());
                yield Decision.accept();
            }
            case ApprovalRequest.Command c -> {
                // The safest "no" the server offers: decline, else cancel (Codex 0.169.0 offers only cancel).
                System.out.println("[policy] refusing: " + c.command() + " (offered: " + c.availableDecisions() + ")");
                yield Decision.refuse();
            }
            default -> Decision.refuse();
        };
        ApprovalHandler byPerson = ((ApprovalHandler) request -> {
            System.out.print("Codex asks (" + request.method() + "): "
                    + (request instanceof ApprovalRequest.Command c ? c.command() : request.raw())
                    + "\nAllow? [y/N] ");
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line != null && line.trim().equalsIgnoreCase("y") ? Decision.accept() : Decision.refuse();
        }).withTimeout(java.time.Duration.ofMinutes(2)); // nobody at the terminal: refused after two minutes
        try (ExampleSession session = ExampleSession.open(
                model -> model.defaultReply(request -> request.isToolFollowUp()
                        ? ModelReply.message("The command printed: " + request.toolOutputs().getLast().path("output").asString("?"))
                        : ModelReply.execCommandEscalated("echo hello from the sandbox", "needs to write outside the sandbox")),
                fixture -> fixture.approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY),
                b -> b.approvalHandler(ApprovalHandler.declineAll()))) {
            var thread = session.codex().startThread(ThreadOptions.builder()
                    .approvalPolicy(AskForApproval.ON_REQUEST).sandbox(SandboxMode.READ_ONLY).build());
            RunResult r = thread.run("Say hello from a shell", TurnOptions.builder()
                    .approvalHandler(ask ? byPerson : byCode).build());
            System.out.println(r.finalResponse().orElse("(no answer)"));
        }
    }
}
