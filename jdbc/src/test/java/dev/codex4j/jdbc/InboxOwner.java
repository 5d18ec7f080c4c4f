package dev.codex4j.jdbc;

import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;
import dev.codex4j.RunResult;
import dev.codex4j.StoredApproval;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.postgresql.ds.PGSimpleDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The other instance of the backend, in its own JVM (started by {@link SharedApprovalInboxTest}):
 * a client of testkit's fake app-server whose turns each ask one command approval (accept or
 * cancel offered) and end saying the decision they got. Its inbox shares the test's database.
 *
 * <p>Arguments: jdbc URL, user, table prefix, owner, number of turns. It prints {@code PARKED id}
 * for each approval, {@code DONE thread decision} for each finished turn; on stdin it takes
 * {@code resolve ID DECISION} (prints {@code RESOLVED ID true|false}) and {@code exit}.
 */
public final class InboxOwner {
    private InboxOwner() {}

    /** @param args see the class doc */
    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(args[0]);
        ds.setUser(args[1]);
        JdbcApprovalStore store = JdbcApprovalStore.builder(ds).tablePrefix(args[2]).owner(args[3])
                .leaseTtl(Duration.ofSeconds(1)).build();
        int turns = Integer.parseInt(args[4]);
        try (ApprovalInbox inbox = ApprovalInbox.builder().store(store).pollInterval(Duration.ofMillis(50)).build();
                FakeAppServer fake = FakeAppServer.inProcess(script());
                Codex codex = Codex.builder().approvalInbox(inbox).streams(fake.clientInput(), fake.clientOutput())
                        .build()) {
            for (int i = 0; i < turns; i++) {
                var thread = codex.startThread();
                CompletableFuture<RunResult> run = thread.runAsync("q");
                PendingApproval p = inbox.poll(Duration.ofSeconds(20)).orElseThrow();
                say("PARKED " + p.id());
                run.thenAccept(r -> say("DONE " + thread.id() + " " + r.finalResponse().orElse("?")));
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("exit");) {
                String[] w = line.split(" ");
                if (w[0].equals("resolve")) {
                    boolean won = inbox.resolve(w[1], StoredApproval.decisionNamed(w[2]));
                    say("RESOLVED " + w[1] + " " + won);
                }
            }
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static FakeAppServer.Script script() {
        return FakeAppServer.script().concurrentHandlers().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            ObjectNode p = AppServerMessages.commandApprovalParams(out.var("threadId"), out.var("turnId"), "item-1",
                    "echo shared-inbox", "needs approval");
            p.set("availableDecisions", ProtocolCodec.mapper().readTree("[\"accept\",\"cancel\"]"));
            JsonNode reply = out.serverRequest("item/commandExecution/requestApproval", p, Duration.ofSeconds(60));
            out.run(ScriptStep.simpleTurn(reply == null ? "no-reply" : reply.has("error") ? "error"
                    : reply.path("result").path("decision").asString()));
        });
    }
}
