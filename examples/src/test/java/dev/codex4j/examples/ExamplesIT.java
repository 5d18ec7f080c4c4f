package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A smoke run of every example, offline, checking what each prints. */
@Timeout(120)
class ExamplesIT {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private InputStream originalIn;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setIn(originalIn);
        originalOut.print(out.toString(StandardCharsets.UTF_8));
    }

    private String run(Callable<?> main) throws Exception {
        main.call();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void presets() throws Exception {
        String o = run(() -> { Presets.main(new String[0]); return null; });
        assertTrue(o.contains("[auto-review] approved (risk low): echo is harmless"), o);
        assertTrue(o.contains("The command ran."), o);
        assertTrue(o.contains("[deny all] completed"), o);
    }

    @Test
    void liveSettings() throws Exception {
        String o = run(() -> { LiveSettings.main(new String[0]); return null; });
        assertTrue(o.contains("[model request] reasoning effort: high"), o);
    }

    @Test
    void rollback() throws Exception {
        String o = run(() -> { Rollback.main(new String[0]); return null; });
        assertTrue(o.contains("[after rollback] turns: 1"), o);
        assertTrue(o.contains("[fork] turns: 1, original: 2"), o);
    }

    @Test
    void codeReview() throws Exception {
        String o = run(() -> { CodeReview.main(new String[0]); return null; });
        assertTrue(o.contains("[review completed]"), o);
        assertTrue(o.contains("[P2] Greeting lost its newline"), o);
    }

    @Test
    void queuedInput() throws Exception {
        String o = run(() -> { QueuedInput.main(new String[0]); return null; });
        assertTrue(o.contains("[queued] Then run the tests\n[queued] Then update the docs\n"), o);
        assertTrue(o.contains("[running turn] interrupted"), o);
        assertTrue(o.contains("Done: Then run the tests"), o);
        assertTrue(o.contains("[server-started] Done: Then update the docs"), o);
    }

    @Test
    void quickstart() throws Exception {
        String o = run(() -> { Quickstart.main(new String[0]); return null; });
        assertTrue(o.contains("codex4j is a Java SDK for the Codex app-server."), o);
    }

    @Test
    void observability() throws Exception {
        String o = run(() -> { Observability.main(new String[0]); return null; });
        assertTrue(o.contains("[listener] turn "), o);
        assertTrue(o.contains("[thread] status"), o);
        assertTrue(o.contains("Second answer."), o);
    }

    @Test
    void signIn() throws Exception {
        String o = run(() -> { SignIn.main(new String[0]); return null; });
        assertTrue(o.contains("without an account: AuthenticationRequiredException"), o);
        assertTrue(o.contains("after loginWithApiKey: Account.ApiKey"), o);
        assertTrue(o.contains("after logout: null"), o);
    }

    @Test
    void streaming() throws Exception {
        String o = run(() -> { Streaming.main(new String[0]); return null; });
        assertTrue(o.contains("nothing is lost here"), o);
        assertTrue(o.contains("[turn completed]"), o);
    }

    @Test
    void manyTurns() throws Exception {
        String o = run(() -> { ManyTurns.main(new String[] {"8"}); return null; });
        assertTrue(o.contains("answer to: question 7"), o);
    }

    @Test
    void steerAndInterrupt() throws Exception {
        String o = run(() -> { SteerAndInterrupt.main(new String[0]); return null; });
        assertTrue(o.contains("steered: Plan"), o);
        assertTrue(o.contains("status interrupted"), o);
    }

    @Test
    void approvalsByCode() throws Exception {
        String o = run(() -> { Approvals.main(new String[0]); return null; });
        assertTrue(o.contains("[policy] accepting: "), o);
        assertTrue(o.contains("hello from the sandbox"), o);
    }

    @Test
    void tools() throws Exception {
        String o = run(() -> { Tools.main(new String[0]); return null; });
        assertTrue(o.contains("[tool] lookup_order"), o);
        assertTrue(o.contains("Sunny and 21 C in Lisbon"), o);
        assertTrue(o.contains("shipped"), o);
    }

    @Test
    void toolInterceptors() throws Exception {
        String o = run(() -> { ToolInterceptors.main(new String[0]); return null; });
        assertTrue(o.contains("[interceptor] refund-limit: VETOED (Refunds over 100 need a human"), o);
        assertTrue(o.contains("[audit] refund {\"orderId\":\"A-17\",\"amount\":50} -> success true"), o);
        assertTrue(o.contains("Refunded 50; the rest needs a human."), o);
    }

    @Test
    void mcpTools() throws Exception {
        String o = run(() -> { McpTools.main(new String[0]); return null; });
        assertTrue(o.contains("[elicitation] test: Really deploy? -> accept"), o);
        assertTrue(o.contains("[mcp tool] test/echo completed"), o);
        assertTrue(o.contains("[mcp tool] test/confirm completed"), o);
        assertTrue(o.contains("Echoed, and the deploy was confirmed."), o);
        assertTrue(o.contains("[status] test tools [confirm, echo]"), o); // add is denied
        assertTrue(o.contains("[resource] hello from the codex4j test MCP server"), o);
        assertTrue(o.contains("[direct call] echo -> ") && o.substring(o.indexOf("[direct call]")).contains("echo: direct"), o);
    }

    @Test
    void subAgents() throws Exception {
        String o = run(() -> { SubAgents.main(new String[0]); return null; });
        assertTrue(o.contains("A checker is on it."), o);
        assertTrue(o.contains("[sub-agent] /root/checker on thread "), o);
        assertTrue(o.contains("[sub-agent]   /root/checker/helper on thread "), o); // the tree, one level deeper
        assertTrue(o.contains(" in 2 threads, total "), o); // both sub-agents' usage, settled
        assertTrue(o.contains("[sub-agent] /root/checker: turns 1, last completed"), o);
    }

    @Test
    void approvalQueueOverHttp() throws Exception {
        String o = run(() -> { ApprovalQueue.main(new String[0]); return null; });
        assertTrue(o.contains("POST /approvals/a1/accept -> 200 resolved"), o);
        assertTrue(o.contains("approved over HTTP"), o);
    }

    @Test
    void approvalsByAPersonAtTheTerminal() throws Exception {
        System.setIn(new ByteArrayInputStream("n\n".getBytes(StandardCharsets.UTF_8)));
        String o = run(() -> { Approvals.main(new String[] {"--ask"}); return null; });
        assertTrue(o.contains("Allow? [y/N]"), o);
    }

    @Test
    void resumeThread() throws Exception {
        String o = run(() -> { ResumeThread.main(new String[0]); return null; });
        assertTrue(o.contains("The codeword was 'heron'."), o);
    }

    @Test
    void lifecycle() throws Exception {
        String o = run(() -> { Lifecycle.main(new String[0]); return null; });
        assertTrue(o.contains("model mock-model"), o);
        assertTrue(o.contains("unarchived "), o);
    }

    @Test
    void structuredOutput() throws Exception {
        String o = run(() -> { StructuredOutput.main(new String[0]); return null; });
        assertTrue(o.contains("Review[verdict=approve, score=8"), o);
    }

    @Test
    void images() throws Exception {
        String o = run(() -> { Images.main(new String[0]); return null; });
        assertTrue(o.contains("I see two tiny images."), o);
    }

    @Test
    void errorHandling() throws Exception {
        String o = run(() -> { ErrorHandling.main(new String[0]); return null; });
        assertTrue(o.contains("attempt 1 failed"), o);
        assertTrue(o.contains("Worked on the second try."), o);
        assertTrue(o.contains("typed RPC error -32600"), o);
    }

    @Test
    void chat() throws Exception {
        System.setIn(new ByteArrayInputStream("hello there\n\n".getBytes(StandardCharsets.UTF_8)));
        String o = run(() -> { Chat.main(new String[0]); return null; });
        assertTrue(o.contains("You said: hello there"), o);
    }
}
