package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.testkit.RecordedRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Tool interceptors against the real Codex CLI: the mock model calls a tool, the interceptors let
 * it through, veto it, rewrite its arguments or its output, and the next model request holds what
 * the model got.
 */
class ToolInterceptorsIT {
    record Refund(String orderId, int amount) {}

    private OfflineCodex offline;
    private final AtomicReference<ModelReply> call = new AtomicReference<>();
    private final List<CodexEventListener.ToolCallIntercepted> reported = new CopyOnWriteArrayList<>();
    private final List<Refund> refunded = new CopyOnWriteArrayList<>();
    private final List<String> toolThreads = new CopyOnWriteArrayList<>();

    private final Tool refund = Tool.of("refund", "Refunds an order", Refund.class, r -> {
        refunded.add(r);
        return "refunded " + r.amount() + " on " + r.orderId();
    });

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        offline.server().defaultReply(req -> req.isToolFollowUp() ? ModelReply.message("done") : call.get());
        call.set(ModelReply.functionCall("refund", "{\"orderId\":\"A1\",\"amount\":500}"));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private RunResult run(ToolInterceptor... interceptors) {
        ThreadOptions.Builder options = ThreadOptions.builder().tool(refund);
        for (ToolInterceptor i : interceptors) {
            options.interceptor(i);
        }
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true)
                .eventListener(new CodexEventListener() {
                    @Override
                    public void toolCallIntercepted(ToolCallIntercepted e) {
                        reported.add(e);
                    }
                }).build()) {
            RunResult r = codex.startThread(options.build()).run("refund A1");
            assertEquals(TurnStatus.COMPLETED, r.status());
            return r;
        }
    }

    /** The output the model got for its tool call. */
    private String toolOutput() {
        RecordedRequest followUp = offline.server().requests().stream().filter(RecordedRequest::isToolFollowUp)
                .findFirst().orElseThrow();
        return followUp.toolOutputs().getFirst().path("output").toString();
    }

    private static boolean success(RunResult r) {
        return r.items(ThreadItem.DynamicToolCall.class).getFirst().success();
    }

    @Test
    void aVetoKeepsTheToolFromRunningAndTellsTheModelWhy() {
        RunResult r = run(ToolInterceptor.before("limit", c -> c.arguments().path("amount").asInt() > 100
                ? ToolInterceptor.Before.veto("refunds over 100 need a human")
                : ToolInterceptor.Before.proceed()));
        assertFalse(success(r));
        assertTrue(refunded.isEmpty(), "the tool ran: " + refunded);
        assertTrue(toolOutput().contains("refunds over 100 need a human"), toolOutput());
        assertEquals(List.of(ToolInterceptor.Action.VETOED), reported.stream().map(e -> e.action()).toList());
        assertEquals("limit", reported.getFirst().interceptor());
        assertEquals("refunds over 100 need a human", reported.getFirst().detail());
        assertEquals("refund", reported.getFirst().call().params().tool());
    }

    @Test
    void rewrittenArgumentsReachTheToolAndTheNextInterceptor() {
        AtomicInteger seenBySecond = new AtomicInteger();
        RunResult r = run(
                ToolInterceptor.before("cap", c -> ToolInterceptor.Before.rewrite(
                        ((tools.jackson.databind.node.ObjectNode) c.arguments().deepCopy()).put("amount", 100))),
                ToolInterceptor.before("watch", c -> {
                    seenBySecond.set(c.arguments().path("amount").asInt());
                    toolThreads.add(Thread.currentThread().getName());
                    return ToolInterceptor.Before.proceed();
                }));
        assertTrue(success(r));
        assertEquals(List.of(new Refund("A1", 100)), refunded);
        assertEquals(100, seenBySecond.get());
        assertEquals(List.of("codex4j-tool-refund"), toolThreads, "interceptors run on the tool's own thread");
        assertTrue(toolOutput().contains("refunded 100 on A1"), toolOutput());
        assertEquals(List.of(ToolInterceptor.Action.REWROTE_ARGUMENTS, ToolInterceptor.Action.PROCEEDED,
                ToolInterceptor.Action.KEPT_OUTPUT, ToolInterceptor.Action.KEPT_OUTPUT),
                reported.stream().map(e -> e.action()).toList());
    }

    @Test
    void rewrittenArgumentsThatDoNotMatchTheSchemaAreAFailedCall() {
        RunResult r = run(ToolInterceptor.before("bad", c -> ToolInterceptor.Before.rewrite(
                JsonNodeFactory.instance.objectNode().put("orderId", 5))));
        assertFalse(success(r));
        assertTrue(refunded.isEmpty());
        assertTrue(toolOutput().contains("do not match its schema"), toolOutput());
    }

    @Test
    void anAfterInterceptorObservesOrRewritesTheOutput() {
        AtomicReference<ToolOutput> observed = new AtomicReference<>();
        RunResult r = run(
                ToolInterceptor.after("observe", (c, out) -> {
                    observed.set(out);
                    return out;
                }),
                ToolInterceptor.after("redact", (c, out) -> ToolOutput.text("refund done (amount hidden)")));
        assertTrue(success(r));
        assertEquals(ToolOutput.text("refunded 500 on A1"), observed.get());
        assertTrue(toolOutput().contains("refund done (amount hidden)"), toolOutput());
        assertFalse(toolOutput().contains("500"), toolOutput());
        assertEquals(List.of(ToolInterceptor.Action.PROCEEDED, ToolInterceptor.Action.PROCEEDED,
                ToolInterceptor.Action.KEPT_OUTPUT, ToolInterceptor.Action.REWROTE_OUTPUT),
                reported.stream().map(e -> e.action()).toList());
    }

    @Test
    void anInterceptorThatThrowsBeforeFailsClosed() {
        RunResult r = run(ToolInterceptor.before("broken", c -> {
            throw new IllegalStateException("policy store unreachable");
        }));
        assertFalse(success(r));
        assertTrue(refunded.isEmpty(), "the tool ran although its interceptor failed");
        assertTrue(toolOutput().contains("policy store unreachable"), toolOutput());
        assertEquals(ToolInterceptor.Action.FAILED, reported.getFirst().action());
        assertTrue(reported.getFirst().detail().contains("policy store unreachable"));
    }

    @Test
    void anInterceptorThatThrowsAfterWithholdsTheOutput() {
        RunResult r = run(ToolInterceptor.after("broken", (c, out) -> {
            throw new IllegalStateException("redaction failed");
        }));
        assertFalse(success(r));
        assertEquals(1, refunded.size());
        assertFalse(toolOutput().contains("refunded 500"), "the unfiltered output reached the model: " + toolOutput());
        assertTrue(toolOutput().contains("redaction failed"), toolOutput());
        assertEquals(List.of(ToolInterceptor.Action.PROCEEDED, ToolInterceptor.Action.FAILED),
                reported.stream().map(e -> e.action()).toList());
    }
}
