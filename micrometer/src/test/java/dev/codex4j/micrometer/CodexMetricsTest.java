package dev.codex4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.Codex;
import dev.codex4j.TokenCount;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.TokenUsageBreakdown;
import dev.codex4j.protocol.types.TurnStatus;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The meters and their tags, fed with the listener's values as the SDK makes them (the HTTP tests
 * of the Spring Boot starter run the same listener against the real CLI).
 */
class CodexMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CodexMetrics metrics = new CodexMetrics(registry, Tags.of("app", "test"));

    private static TokenUsageBreakdown tokens(long in, long out) {
        return TokenUsageBreakdown.builder().inputTokens(in).outputTokens(out).cachedInputTokens(0)
                .reasoningOutputTokens(0).totalTokens(in + out).build();
    }

    @Test
    void aTurnCountsItsStatusDurationAndItsOwnTokensByModel() {
        metrics.turnStarted(new CodexEventListener.TurnStarted("th", "t1", "gpt-x"));
        RunResult r = RunResult.builder().turnId("t1").status(TurnStatus.COMPLETED).durationMs(1500)
                .usage(ThreadTokenUsage.builder().last(tokens(30, 2)).total(tokens(400, 50)).build())
                .turnUsage(new TokenCount(40, 0, 5, 0, 45)).build(); // two model calls: not the last call's
        metrics.turnCompleted(new CodexEventListener.TurnCompleted("th", r, "gpt-x"));
        metrics.turnCompleted(new CodexEventListener.TurnCompleted("th",
                RunResult.builder().turnId("t2").status(TurnStatus.FAILED).durationMs(10).build()));

        assertEquals(1, registry.get(CodexMetrics.TURNS_STARTED).tag("app", "test").counter().count());
        assertEquals(1, registry.get(CodexMetrics.TURNS_COMPLETED).tags("status", "completed",
                "gen_ai.request.model", "gpt-x").counter().count());
        assertEquals(1, registry.get(CodexMetrics.TURNS_COMPLETED).tags("status", "failed",
                "gen_ai.request.model", "unknown").counter().count());
        assertEquals(1500, registry.get(CodexMetrics.TURN_DURATION).tags("gen_ai.operation.name", "invoke_agent",
                "status", "completed").timer().totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(40, registry.get(CodexMetrics.TOKEN_USAGE).tags("gen_ai.token.type", "input",
                "gen_ai.request.model", "gpt-x").summary().totalAmount());
        assertEquals(5, registry.get(CodexMetrics.TOKEN_USAGE).tags("gen_ai.token.type", "output").summary()
                .totalAmount());
    }

    @Test
    void serverRequestsAndToolCallsHaveBoundedTags() {
        var params = JsonMapper.builder().build().createObjectNode().put("threadId", "th").put("turnId", "t1")
                .put("callId", "c1").put("tool", "lookup");
        params.putObject("arguments");
        ApprovalRequest.ToolCall call = assertInstanceOf(ApprovalRequest.ToolCall.class,
                ApprovalRequest.of("item/tool/call", params));
        metrics.toolCallEnded(new CodexEventListener.ToolCallEnded(call, false, Duration.ofMillis(30)));
        metrics.serverRequestAnswered(new CodexEventListener.ServerRequestAnswered(call, "failure",
                Duration.ofMillis(31)));
        metrics.serverRequestAnswered(new CodexEventListener.ServerRequestAnswered(call, "error -32603",
                Duration.ofMillis(1)));

        assertEquals(30, registry.get(CodexMetrics.TOOL_CALLS).tags("gen_ai.tool.name", "lookup", "outcome",
                "failure").timer().totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(1, registry.get(CodexMetrics.SERVER_REQUESTS).tags("kind", "tool_call", "decision", "failure")
                .timer().count());
        // an error reply's code is folded into one value
        assertEquals(1, registry.get(CodexMetrics.SERVER_REQUESTS).tags("kind", "tool_call", "decision", "error")
                .timer().count());
        assertNull(registry.find(CodexMetrics.SERVER_REQUESTS).tag("decision", "error -32603").timer());
    }

    @Test
    void aMonitoredClientHasGaugesOfItsConnectionItsTurnsAndItsDispatchersLag() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().defaultAnswer("hi"));
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            metrics.monitor(codex, "c1");
            assertEquals(1, registry.get(CodexMetrics.CONNECTED).tag("client", "c1").gauge().value());
            codex.startThread().run("q");
            double lag = registry.get(CodexMetrics.DISPATCHER_LAG).tag("client", "c1").gauge().value();
            assertTrue(lag > 0 && lag < 60, "the last batch's lag, in seconds: " + lag);
            assertEquals(0, registry.get(CodexMetrics.ACTIVE_TURNS).tag("client", "c1").gauge().value());
        }
    }
}
