package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.Tool;
import dev.codex4j.ToolInterceptor;
import dev.codex4j.ToolOutput;
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
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The tools of one {@link dev.codex4j.CodexThread}, by name, their {@link ToolInterceptor}s, and the answer
 * to the server's {@code item/tool/call}. Immutable; {@link #call} runs on the request's own
 * handler thread ({@code codex4j-server-request}), and runs the interceptors, the binding of the
 * arguments and the tool's code on one more virtual thread ({@code codex4j-tool-<name>}) so that
 * a call that outlasts its timeout can be abandoned and interrupted. Nothing here throws into the
 * runtime: every failure is a tool error for the model.
 */
public final class ThreadTools {
    private static final System.Logger LOG = System.getLogger(Tool.class.getName());
    public static final ThreadTools NONE = new ThreadTools(Map.of(), List.of());

    private final Map<String, Tool> byName;
    private final List<ToolInterceptor> interceptors;

    private ThreadTools(Map<String, Tool> byName, List<ToolInterceptor> interceptors) {
        this.byName = byName;
        this.interceptors = interceptors;
    }

    /** @throws IllegalArgumentException when two tools have the same name */
    public static ThreadTools of(Collection<Tool> tools) {
        return of(tools, List.of());
    }

    /**
     * @param tools the thread's tools
     * @param interceptors what runs around each call, in order
     * @throws IllegalArgumentException when two tools have the same name
     */
    public static ThreadTools of(Collection<Tool> tools, List<ToolInterceptor> interceptors) {
        if (tools.isEmpty()) {
            return NONE;
        }
        Map<String, Tool> m = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (m.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("Two tools are named " + t.name());
            }
        }
        return new ThreadTools(Map.copyOf(m), List.copyOf(interceptors));
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
        return call(Observer.none(), null, call);
    }

    /**
     * Calls the tool, reporting its interceptors' decisions to the observer, and returns the
     * reply's result (a {@code DynamicToolCallResponse}).
     *
     * @param request the typed request, for the observer (null: built from {@code call})
     * @throws InterruptedException when this handler thread is interrupted (the client is closing);
     *     the tool's thread is interrupted too
     */
    public JsonNode call(Observer observer, ApprovalRequest.@Nullable ToolCall request,
            DynamicToolCallParams call) throws InterruptedException {
        return TypedCodec.params(SdkAccess.get().response(output(observer, request, call)));
    }

    public ToolOutput output(DynamicToolCallParams call) throws InterruptedException {
        return output(Observer.none(), null, call);
    }

    private ToolOutput output(Observer observer, ApprovalRequest.@Nullable ToolCall request,
            DynamicToolCallParams call) throws InterruptedException {
        Tool tool = call.namespace() == null ? byName.get(call.tool()) : null;
        if (tool == null) {
            String name = call.namespace() == null ? call.tool() : call.namespace() + "." + call.tool();
            return failed(call, "no tool named " + name + " is registered on this client for thread " + call.threadId()
                    + " (registered: " + String.join(", ", names()) + ")", null);
        }
        Intercepted intercepted = new Intercepted(observer, request, call);
        CompletableFuture<ToolOutput> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("codex4j-tool-" + tool.name()).start(() -> {
            // a tracing plugin's tool span is current while the interceptors and the tool run
            try (Observer.Scope current = request == null ? Observer.Scope.NONE : observer.enterToolCall(request)) {
                result.complete(intercepted.run(tool));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Duration timeout = tool.timeout();
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            worker.interrupt();
            return failed(call, "tool " + tool.name() + " did not finish within " + timeout + " and was stopped", null);
        } catch (InterruptedException e) {
            worker.interrupt();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return failed(call, "tool " + tool.name() + " failed: " + text(cause), cause);
        }
    }

    /** One call, on the tool's thread: the interceptors before, the binding and the tool, the interceptors after. */
    private final class Intercepted {
        private final Observer observer;
        private final ApprovalRequest.@Nullable ToolCall request;
        private final DynamicToolCallParams call;

        Intercepted(Observer observer, ApprovalRequest.@Nullable ToolCall request,
                DynamicToolCallParams call) {
            this.observer = observer;
            this.request = request;
            this.call = call;
        }

        ToolOutput run(Tool tool) throws InterruptedException {
            JsonNode arguments = call.arguments();
            for (ToolInterceptor i : interceptors) {
                ToolInterceptor.Call seenBefore = new ToolInterceptor.Call(call, arguments);
                Stepped<ToolInterceptor.Before> step = step(i, tool, "before", "the call was refused: ",
                        () -> i.before(seenBefore));
                if (step.failure() != null) {
                    return step.failure();
                }
                switch (java.util.Objects.requireNonNull(step.value())) {
                    case ToolInterceptor.Before.Proceed p -> report(i, ToolInterceptor.Action.PROCEEDED, null);
                    case ToolInterceptor.Before.Veto v -> {
                        report(i, ToolInterceptor.Action.VETOED, v.message());
                        LOG.log(Level.DEBUG, () -> "Tool call " + call.callId() + " (" + call.tool() + ") vetoed by "
                                + name(i) + ": " + v.message());
                        return ToolOutput.error(v.message());
                    }
                    case ToolInterceptor.Before.Rewrite r -> {
                        report(i, ToolInterceptor.Action.REWROTE_ARGUMENTS, null);
                        arguments = r.arguments();
                    }
                }
            }
            ToolOutput output = invoke(tool, arguments);
            ToolInterceptor.Call seen = new ToolInterceptor.Call(call, arguments);
            for (ToolInterceptor i : interceptors) {
                ToolOutput current = output;
                Stepped<ToolOutput> step = step(i, tool, "after", "the result was withheld: ", () -> i.after(seen, current));
                if (step.failure() != null) {
                    return step.failure();
                }
                ToolOutput next = java.util.Objects.requireNonNull(step.value());
                report(i, next.equals(output) ? ToolInterceptor.Action.KEPT_OUTPUT : ToolInterceptor.Action.REWROTE_OUTPUT,
                        null);
                output = next;
            }
            return output;
        }

        /**
         * Runs one interceptor's step, failing closed: its exception or a null answer becomes a
         * failed call for the model (reported as {@code FAILED}), never an exception here.
         *
         * @param when "before" or "after"
         * @param consequence what the model is told happened ("the call was refused: ", ...)
         */
        private <T> Stepped<T> step(ToolInterceptor i, Tool tool, String when, String consequence, Step<T> step)
                throws InterruptedException {
            String reason;
            Throwable cause = null;
            try {
                T value = step.run();
                if (value != null) {
                    return new Stepped<>(value, null);
                }
                reason = "interceptor " + name(i) + " returned null " + when + " " + tool.name();
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable e) {
                cause = e;
                reason = "interceptor " + name(i) + " failed " + when + " " + tool.name() + ": " + text(e);
            }
            report(i, ToolInterceptor.Action.FAILED, reason);
            return new Stepped<>(null, failed(call, consequence + reason, cause));
        }

        private void report(ToolInterceptor i, ToolInterceptor.Action action, @Nullable String detail) {
            if (request != null) {
                observer.toolCallIntercepted(request, name(i), action, detail);
            }
        }

        private ToolOutput invoke(Tool tool, JsonNode arguments) throws InterruptedException {
            Object input;
            try {
                String mismatch = SdkAccess.get().mismatch(SdkAccess.get().input(tool), arguments);
                if (mismatch != null) {
                    return failed(call, "the arguments of " + tool.name() + " do not match its schema at " + mismatch
                            + "; call it again with arguments that match the schema", null);
                }
                input = SdkAccess.get().input(tool).bind(arguments);
            } catch (StructuredOutputException e) {
                return failed(call, "the arguments of " + tool.name() + " do not bind: " + e.getMessage(), null);
            }
            Object value;
            try {
                value = SdkAccess.get().function(tool).call(input);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                return failed(call, "tool " + tool.name() + " failed: " + text(e), e);
            }
            try {
                return toOutput(value);
            } catch (RuntimeException e) {
                return failed(call, "tool " + tool.name() + " returned a result that cannot be sent: " + e.getMessage(), e);
            }
        }
    }

    /** One interceptor call ({@code before} or {@code after}). */
    @FunctionalInterface
    private interface Step<T> {
        @Nullable T run() throws Exception;
    }

    /** What an interceptor's step gave: its answer, or the failed call it became. */
    private record Stepped<T>(@Nullable T value, @Nullable ToolOutput failure) {}

    private static String name(ToolInterceptor i) {
        try {
            return String.valueOf(i.name());
        } catch (RuntimeException e) {
            return i.getClass().getName();
        }
    }

    private static String text(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private static ToolOutput toOutput(Object value) {
        return switch (value) {
            case null -> ToolOutput.text("");
            case ToolOutput o -> o;
            case String s -> ToolOutput.text(s);
            default -> ToolOutput.json(value);
        };
    }

    private static ToolOutput failed(DynamicToolCallParams call, String reason, @Nullable Throwable cause) {
        LOG.log(Level.WARNING, "Tool call " + call.callId() + " (" + call.tool() + ") of thread " + call.threadId()
                + " answered as failed: " + reason, cause);
        return ToolOutput.error(reason);
    }
}
