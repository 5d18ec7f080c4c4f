package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tools against the real Codex CLI: the mock model calls them, the next model request holds their output. */
class ToolsIT {
    record OrderQuery(String orderId) {}

    record Order(String id, String status) {}

    private OfflineCodex offline;
    private final AtomicReference<ModelReply> call = new AtomicReference<>();

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        offline.server().defaultReply(req -> req.isToolFollowUp()
                ? ModelReply.message("done")
                : call.get());
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private Codex client() {
        return Codex.builder().launch(offline.launch()).experimentalApi(true).build();
    }

    private static ThreadOptions with(Tool... tools) {
        return ThreadOptions.builder().tools(List.of(tools)).build();
    }

    /** The output the model got for its (first) tool call. */
    private String toolOutput() {
        RecordedRequest followUp = offline.server().requests().stream().filter(RecordedRequest::isToolFollowUp)
                .findFirst().orElseThrow();
        return followUp.toolOutputs().getFirst().path("output").toString();
    }

    private static ThreadItem.DynamicToolCall toolItem(RunResult r) {
        return r.items(ThreadItem.DynamicToolCall.class).getFirst();
    }

    private static final Tool LOOKUP = Tool.of("lookup_order", "Looks an order up by id", OrderQuery.class,
            q -> new Order(q.orderId(), "shipped"));

    @Test
    void theModelSeesTheToolAndItsResultComesBackAsJson() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}"));
        try (Codex codex = client()) {
            RunResult r = codex.startThread(with(LOOKUP)).run("where is A1?");
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertTrue(toolItem(r).success());
        }
        assertTrue(offline.server().requests().getFirst().toolNames().contains("lookup_order"));
        assertEquals("\"{\\\"id\\\":\\\"A1\\\",\\\"status\\\":\\\"shipped\\\"}\"", toolOutput());
    }

    @Test
    void aToolThatThrowsIsAToolErrorForTheModelNotAnExceptionForTheCaller() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}"));
        Tool failing = Tool.of("lookup_order", "d", OrderQuery.class, q -> {
            throw new IllegalStateException("the order database is down");
        });
        try (Codex codex = client()) {
            RunResult r = codex.startThread(with(failing)).run("where is A1?");
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertFalse(toolItem(r).success());
        }
        assertTrue(toolOutput().contains("the order database is down"), toolOutput());
    }

    @Test
    void aToolThatOutlastsItsTimeoutIsInterruptedAndReportedToTheModel() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}"));
        AtomicBoolean interrupted = new AtomicBoolean();
        Tool stuck = Tool.of("lookup_order", "d", OrderQuery.class, q -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return "never";
        }).withTimeout(Duration.ofMillis(300));
        try (Codex codex = client()) {
            RunResult r = codex.startThread(with(stuck)).run("where is A1?");
            assertFalse(toolItem(r).success());
        }
        assertTrue(toolOutput().contains("did not finish within PT0.3S"), toolOutput());
        await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
    }

    @Test
    void argumentsThatDoNotMatchTheRecordGoBackToTheModelWithThePath() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":5}"));
        List<OrderQuery> called = new CopyOnWriteArrayList<>();
        Tool t = Tool.of("lookup_order", "d", OrderQuery.class, q -> {
            called.add(q);
            return "found";
        });
        try (Codex codex = client()) {
            assertFalse(toolItem(codex.startThread(with(t)).run("where is 5?")).success());
        }
        assertEquals(List.of(), called, "the tool's code never saw the bad arguments");
        assertTrue(toolOutput().contains("$.orderId"), toolOutput());
    }

    @Test
    void twoCallsInOneModelResponseRunConcurrently() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}")
                .then(ModelReply.functionCall("lookup_order", "{\"orderId\":\"B2\"}")));
        CyclicBarrier both = new CyclicBarrier(2);
        Tool t = Tool.of("lookup_order", "d", OrderQuery.class, q -> {
            both.await(10, TimeUnit.SECONDS); // only passes when the two calls run at the same time
            return "ok " + q.orderId();
        });
        try (Codex codex = client()) {
            RunResult r = codex.startThread(with(t)).run("A1 and B2?");
            List<ThreadItem.DynamicToolCall> calls = r.items(ThreadItem.DynamicToolCall.class);
            assertEquals(2, calls.size());
            assertTrue(calls.stream().allMatch(ThreadItem.DynamicToolCall::success), calls.toString());
        }
    }

    static final class OrderTools {
        @CodexTool(description = "Looks an order up by id")
        public Order lookup_order(OrderQuery q) {
            return new Order(q.orderId(), "annotated");
        }
    }

    @Test
    void annotatedMethodsAreTools() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}"));
        try (Codex codex = client()) {
            codex.startThread(ThreadOptions.builder().tools(Tool.from(new OrderTools())).build()).run("A1?");
        }
        assertTrue(toolOutput().contains("annotated"), toolOutput());
    }

    @Test
    void startingAThreadWithToolsNeedsTheExperimentalApi() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> codex.startThread(with(LOOKUP)));
            assertTrue(e.getMessage().contains("experimentalApi(true)"), e.getMessage());
        }
    }

    @Test
    void theServerKeepsToolsAcrossAResumeInANewProcessAndTheResumingClientAnswersThem() {
        call.set(ModelReply.functionCall("lookup_order", "{\"orderId\":\"A1\"}"));
        String threadId;
        try (Codex codex = client()) {
            CodexThread t = codex.startThread(with(LOOKUP));
            t.run("first");
            threadId = t.id();
        }
        // Resumed with its tools (no experimentalApi needed: nothing experimental is sent): answered here.
        Tool resumed = Tool.of("lookup_order", "d", OrderQuery.class, q -> "after resume " + q.orderId());
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            RunResult r = codex.resumeThread(threadId, with(resumed)).run("second");
            assertTrue(toolItem(r).success());
            assertTrue(offline.server().requests().getLast().toolNames().contains("lookup_order"));
            assertTrue(offline.server().requests().getLast().toolOutputs().getLast().toString().contains("after resume A1"));
        }
        // Resumed without them: the call reaches the client's approval handler, whose default refuses it.
        List<ApprovalRequest> asked = new CopyOnWriteArrayList<>();
        try (Codex codex = Codex.builder().launch(offline.launch()).approvalHandler(r -> {
            asked.add(r);
            return Decision.refuse();
        }).build()) {
            RunResult r = codex.resumeThread(threadId).run("third");
            assertFalse(toolItem(r).success());
            assertInstanceOf(ApprovalRequest.ToolCall.class, asked.getFirst());
        }
    }
}
