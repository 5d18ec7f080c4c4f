package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.sdk.ThreadTools;
import dev.codex4j.protocol.types.DynamicToolCallOutputContentItem;
import dev.codex4j.protocol.types.DynamicToolCallParams;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Interceptors fail closed, before and after the tool: one that throws or answers null makes the
 * call a failed one for the model, naming the interceptor and the phase; the tool does not run
 * when the failure is before it, and its result is withheld when it is after.
 */
class ToolInterceptorFailClosedTest {
    record Query(String id) {}

    private final AtomicInteger runs = new AtomicInteger();
    private final Tool echo = Tool.of("echo", "Echoes", Query.class, q -> {
        runs.incrementAndGet();
        return "echo " + q.id();
    });

    private static DynamicToolCallParams call() {
        return DynamicToolCallParams.builder().threadId("th").turnId("tu").callId("c1").tool("echo")
                .arguments(JsonNodeFactory.instance.objectNode().put("id", "A")).build();
    }

    private static String text(ToolOutput o) {
        return ((DynamicToolCallOutputContentItem.InputText) o.items().getFirst()).text();
    }

    private ToolOutput run(ToolInterceptor i) throws InterruptedException {
        return ThreadTools.of(List.of(echo), List.of(i)).output(call());
    }

    @Test
    void anInterceptorThatThrowsOrAnswersNullBeforeRefusesTheCall() throws Exception {
        ToolOutput thrown = run(ToolInterceptor.before("guard", c -> {
            throw new IllegalStateException("boom");
        }));
        assertFalse(thrown.success());
        assertEquals("the call was refused: interceptor guard failed before echo: boom", text(thrown));
        ToolOutput nul = run(ToolInterceptor.before("lazy", c -> null));
        assertFalse(nul.success());
        assertEquals("the call was refused: interceptor lazy returned null before echo", text(nul));
        assertEquals(0, runs.get(), "the tool never ran");
    }

    @Test
    void anInterceptorThatThrowsOrAnswersNullAfterWithholdsTheResult() throws Exception {
        ToolOutput thrown = run(ToolInterceptor.after("audit", (c, out) -> {
            throw new IllegalStateException("disk full");
        }));
        assertFalse(thrown.success());
        assertEquals("the result was withheld: interceptor audit failed after echo: disk full", text(thrown));
        ToolOutput nul = run(ToolInterceptor.after("lazy", (c, out) -> null));
        assertFalse(nul.success());
        assertEquals("the result was withheld: interceptor lazy returned null after echo", text(nul));
        assertEquals(2, runs.get(), "the tool ran, its result was withheld");
        assertTrue(run(ToolInterceptor.after("keep", (c, out) -> out)).success());
    }
}
