package dev.codex4j.examples;

import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.Tool;
import dev.codex4j.ToolInterceptor;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.testkit.ModelReply;

/**
 * Interceptors around a tool: one vetoes refunds over a limit (the model is told why), one audits
 * every result. Offline, the mock model asks for a refund of 500 (vetoed) and then of 50 (let
 * through); live ({@code CODEX4J_LIVE=1}), your model decides. Tools need the experimental API.
 */
public final class ToolInterceptors {
    private ToolInterceptors() {}

    /** The arguments of {@code refund}. */
    record Refund(String orderId, int amount) {}

    /** @param args unused */
    public static void main(String[] args) {
        Tool refund = Tool.of("refund", "Refunds part of an order", Refund.class,
                r -> "refunded " + r.amount() + " on " + r.orderId());
        ToolInterceptor limit = ToolInterceptor.before("refund-limit", call ->
                call.arguments().path("amount").asInt() > 100
                        ? ToolInterceptor.Before.veto("Refunds over 100 need a human: ask the user to call support.")
                        : ToolInterceptor.Before.proceed());
        ToolInterceptor audit = ToolInterceptor.after("audit", (call, out) -> {
            System.out.println("[audit] " + call.tool() + " " + call.arguments() + " -> success " + out.success());
            return out;
        });
        try (ExampleSession session = ExampleSession.open(
                model -> model.defaultReply(request -> switch (request.toolOutputs().size()) {
                    case 0 -> ModelReply.functionCall("refund", "{\"orderId\":\"A-17\",\"amount\":500}");
                    case 1 -> ModelReply.functionCall("refund", "{\"orderId\":\"A-17\",\"amount\":50}");
                    default -> ModelReply.message("Refunded 50; the rest needs a human.");
                }),
                b -> b.experimentalApi(true).eventListener(new CodexEventListener() {
                    @Override
                    public void toolCallIntercepted(ToolCallIntercepted e) {
                        System.out.println("[interceptor] " + e.interceptor() + ": " + e.action()
                                + (e.detail() == null ? "" : " (" + e.detail() + ")"));
                    }
                }))) {
            RunResult r = session.codex().startThread(ThreadOptions.builder()
                    .tool(refund).interceptor(limit).interceptor(audit).build())
                    .run("Refund 500 on order A-17");
            for (ThreadItem.DynamicToolCall call : r.items(ThreadItem.DynamicToolCall.class)) {
                System.out.println("[tool] " + call.tool() + " " + call.arguments() + " -> success " + call.success());
            }
            System.out.println(r.finalResponse().orElse("(no answer)"));
        }
    }
}
