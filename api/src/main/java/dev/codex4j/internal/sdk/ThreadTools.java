package dev.codex4j.internal.sdk;

import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.Tool;
import dev.codex4j.ToolOutput;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.DynamicToolCallParams;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * The tools of one {@link CodexThread}, by name, and the answer to the server's
 * {@code item/tool/call}. Immutable; {@link #call} runs on the request's own handler thread
 * ({@code codex4j-server-request}), and runs the tool's code on one more virtual thread
 * ({@code codex4j-tool-<name>}) so that a call that outlasts its timeout can be abandoned and
 * interrupted. Nothing here throws into the runtime: every failure is a tool error for the model.
 */
public final class ThreadTools {
    private static final System.Logger LOG = System.getLogger(Tool.class.getName());
    public static final ThreadTools NONE = new ThreadTools(Map.of());

    private final Map<String, Tool> byName;

    private ThreadTools(Map<String, Tool> byName) {
        this.byName = byName;
    }

    /** @throws IllegalArgumentException when two tools have the same name */
    public static ThreadTools of(Collection<Tool> tools) {
        if (tools.isEmpty()) {
            return NONE;
        }
        Map<String, Tool> m = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (m.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("Two tools are named " + t.name());
            }
        }
        return new ThreadTools(Map.copyOf(m));
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    public List<String> names() {
        return byName.keySet().stream().sorted().toList();
    }

    /**
     * Calls the tool and returns the reply's result (a {@code DynamicToolCallResponse}).
     *
     * @throws InterruptedException when this handler thread is interrupted (the client is closing);
     *     the tool's thread is interrupted too
     */
    public JsonNode call(DynamicToolCallParams call) throws InterruptedException {
        return TypedCodec.params(SdkAccess.get().response(output(call)));
    }

    public ToolOutput output(DynamicToolCallParams call) throws InterruptedException {
        Tool tool = call.namespace() == null ? byName.get(call.tool()) : null;
        if (tool == null) {
            String name = call.namespace() == null ? call.tool() : call.namespace() + "." + call.tool();
            return failed(call, "no tool named " + name + " is registered on this client for thread " + call.threadId()
                    + " (registered: " + String.join(", ", names()) + ")", null);
        }
        Object input;
        try {
            String mismatch = SdkAccess.get().mismatch(SdkAccess.get().input(tool), call.arguments());
            if (mismatch != null) {
                return failed(call, "the arguments of " + tool.name() + " do not match its schema at " + mismatch
                        + "; call it again with arguments that match the schema", null);
            }
            input = SdkAccess.get().input(tool).bind(call.arguments());
        } catch (StructuredOutputException e) {
            return failed(call, "the arguments of " + tool.name() + " do not bind: " + e.getMessage(), null);
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("codex4j-tool-" + tool.name()).start(() -> {
            try {
                result.complete(SdkAccess.get().function(tool).call(input));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Duration timeout = tool.timeout();
        try {
            return toOutput(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            worker.interrupt();
            return failed(call, "tool " + tool.name() + " did not finish within " + timeout + " and was stopped", null);
        } catch (InterruptedException e) {
            worker.interrupt();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return failed(call, "tool " + tool.name() + " failed: " + (cause.getMessage() != null ? cause.getMessage()
                    : cause.getClass().getSimpleName()), cause);
        } catch (RuntimeException e) {
            return failed(call, "tool " + tool.name() + " returned a result that cannot be sent: " + e.getMessage(), e);
        }
    }

    private static ToolOutput toOutput(Object value) {
        return switch (value) {
            case null -> ToolOutput.text("");
            case ToolOutput o -> o;
            case String s -> ToolOutput.text(s);
            default -> ToolOutput.json(value);
        };
    }

    private static ToolOutput failed(DynamicToolCallParams call, String reason, Throwable cause) {
        LOG.log(Level.WARNING, "Tool call " + call.callId() + " (" + call.tool() + ") of thread " + call.threadId()
                + " answered as failed: " + reason, cause);
        return ToolOutput.error(reason);
    }
}
