package dev.codex4j.opentelemetry.internal;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.CodexEventListener;
import dev.codex4j.RunResult;
import dev.codex4j.internal.runtime.RequestTracer;
import dev.codex4j.internal.sdk.Observer;
import dev.codex4j.protocol.types.DynamicToolCallParams;
import dev.codex4j.protocol.types.TurnStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry sink of the SDK's {@link Observer} and the tracer of its connections' requests.
 * Span names and attributes: docs/OBSERVABILITY.md.
 *
 * <p>Called on the SDK's threads (each {@link Observer.Sink} method says which); holds no lock. Its
 * only state are bounded maps: the open turn spans by turn id (so that a server request's span
 * is the child of its turn's), and by thread id while {@code turn/start} awaits its reply (a request
 * may come first), and the open server-request and tool spans by request (so that a tool
 * call's span is the child of its server request's). A turn nobody consumes is never reported
 * complete; its entry goes when the map is full ({@link #MAX_OPEN}). While a server request is
 * answered its span is current on the request's thread, and while a tool runs the tool's span is
 * current on the tool's thread, so that the spans of the application's handler or tool are their
 * children. Never throws into the SDK: the
 * first exception is logged at WARNING, later ones at DEBUG.
 */
public final class TracingSink implements Observer.Sink {
    private static final System.Logger LOG = System.getLogger(TracingSink.class.getName());
    /** The most open turns (and server requests) kept for parenting. */
    static final int MAX_OPEN = 10_000;

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHED_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> REASONING_TOKENS = AttributeKey.longKey("codex.usage.reasoning_output_tokens");
    static final AttributeKey<Long> THREAD_TOTAL_TOKENS = AttributeKey.longKey("codex.usage.thread_total_tokens");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> TOOL_TYPE = AttributeKey.stringKey("gen_ai.tool.type");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<Long> RPC_ERROR_CODE = AttributeKey.longKey("rpc.jsonrpc.error_code");
    static final AttributeKey<String> TURN_ID = AttributeKey.stringKey("codex.turn.id");
    static final AttributeKey<String> TURN_STATUS = AttributeKey.stringKey("codex.turn.status");
    static final AttributeKey<String> SERVER_REQUEST_KIND = AttributeKey.stringKey("codex.server_request.kind");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("codex.server_request.decision");
    static final AttributeKey<Long> WAIT_MS = AttributeKey.longKey("codex.server_request.wait_ms");

    private final Tracer tracer;
    private final Listener listener = new Listener(this);
    private final RequestSpans requests;
    /** Open turn spans by turn id: the parents of their server requests. */
    private final ConcurrentHashMap<String, Span> turns = new ConcurrentHashMap<>();
    /**
     * Turn spans by thread id from {@code turn/start} until the starting thread has its reply: the
     * parents of server requests that arrive in between (the server may ask before the starting
     * thread learns the turn id; a thread runs one turn at a time).
     */
    private final ConcurrentHashMap<String, Span> starting = new ConcurrentHashMap<>();
    /** Open spans of client-side tool calls' server requests: the parents of their tool spans. */
    private final ConcurrentHashMap<ApprovalRequest, Span> toolRequests = new ConcurrentHashMap<>();
    /** Open tool spans by their call. */
    private final ConcurrentHashMap<ApprovalRequest, Span> tools = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param tracer makes the spans */
    public TracingSink(Tracer tracer) {
        this.tracer = tracer;
        this.requests = new RequestSpans(tracer, this::failed);
    }

    /** @return the listener that carries this sink into a client's observer */
    public CodexEventListener listener() {
        return listener;
    }

    /** What {@code CodexBuilder.eventListener(...)} gets: the SDK plugs in its sink, and calls none of its callbacks. */
    private record Listener(TracingSink sink) implements CodexEventListener, Observer.Plugin {
        @Override
        public String toString() {
            return "CodexTelemetry.eventListener()";
        }
    }

    // ---------------------------------------------------------------- requests

    @Override
    public @Nullable RequestTracer requestTracer() {
        return requests;
    }

    // ---------------------------------------------------------------- turns

    @Override
    public @Nullable Object turnStarting(String threadId, @Nullable String model) {
        try {
            var b = tracer.spanBuilder("invoke_agent codex").setSpanKind(SpanKind.CLIENT)
                    .setAttribute(OPERATION, "invoke_agent").setAttribute(AGENT_NAME, "codex")
                    .setAttribute(CONVERSATION, threadId);
            if (model != null) {
                b.setAttribute(REQUEST_MODEL, model);
            }
            Span span = b.startSpan();
            putBounded(starting, threadId, span);
            return span;
        } catch (RuntimeException e) {
            failed("start a turn span", e);
            return null;
        }
    }

    @Override
    public Observer.@Nullable Scope enterTurn(@Nullable Object state) {
        return current(state, "a turn span");
    }

    /** The span current on this thread, over what is current there, until the scope closes. */
    private Observer.@Nullable Scope current(@Nullable Object state, String what) {
        if (!(state instanceof Span span)) {
            return null;
        }
        try {
            io.opentelemetry.context.Scope scope = Context.current().with(span).makeCurrent();
            return scope::close;
        } catch (RuntimeException e) {
            failed("make " + what + " current", e);
            return null;
        }
    }

    @Override
    public void turnStarted(@Nullable Object state, String threadId, String turnId, @Nullable String model) {
        if (state instanceof Span span) {
            try {
                span.setAttribute(TURN_ID, turnId);
                putBounded(turns, turnId, span);
                starting.remove(threadId, span);
            } catch (RuntimeException e) {
                failed("note a started turn", e);
            }
        }
    }

    @Override
    public void turnStartFailed(@Nullable Object state, String threadId, Throwable error) {
        if (state instanceof Span span) {
            try {
                starting.remove(threadId, span);
                span.setStatus(StatusCode.ERROR, "turn/start failed: " + error.getMessage());
                span.setAttribute(ERROR_TYPE, error.getClass().getName());
                span.end();
            } catch (RuntimeException e) {
                failed("end a turn span", e);
            }
        }
    }

    @Override
    public void turnCompleted(@Nullable Object state, String threadId, @Nullable String model, RunResult result) {
        if (!(state instanceof Span span)) {
            return;
        }
        try {
            turns.remove(result.turnId(), span);
            span.setAttribute(TURN_ID, result.turnId());
            span.setAttribute(TURN_STATUS, result.status().value());
            result.turnUsage().ifPresent(t -> { // the turn's own, over all its model calls
                span.setAttribute(INPUT_TOKENS, t.inputTokens());
                span.setAttribute(OUTPUT_TOKENS, t.outputTokens());
                span.setAttribute(CACHED_INPUT_TOKENS, t.cachedInputTokens());
                span.setAttribute(REASONING_TOKENS, t.reasoningOutputTokens());
            });
            result.threadUsage().ifPresent(t -> span.setAttribute(THREAD_TOTAL_TOKENS, t.totalTokens()));
            if (TurnStatus.FAILED.equals(result.status())) {
                String message = result.error().map(e -> e.message()).orElse("the turn failed");
                span.setStatus(StatusCode.ERROR, message);
                span.setAttribute(ERROR_TYPE, result.error().map(e -> e.codexErrorInfo())
                        .map(String::valueOf).orElse("failed"));
            }
            span.end();
        } catch (RuntimeException e) {
            failed("end a turn span", e);
        }
    }

    // ---------------------------------------------------------------- server requests and tools

    /** The server request's virtual thread: a server span, the child of its turn's span when it is open. */
    @Override
    public @Nullable Object serverRequestReceived(ApprovalRequest request) {
        try {
            String turnId = request.turnId();
            Span turn = turnId == null ? null : turns.get(turnId);
            if (turn == null && request.threadId() != null) { // asked before the starting thread had its reply
                turn = starting.get(request.threadId());
            }
            Context parent = turn != null ? Context.current().with(turn) : Context.current();
            var b = tracer.spanBuilder(request.method()).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setAttribute(RPC_SYSTEM, "jsonrpc").setAttribute(RPC_METHOD, request.method())
                    .setAttribute(SERVER_REQUEST_KIND, kind(request));
            String threadId = request.threadId();
            if (threadId != null) {
                b.setAttribute(CONVERSATION, threadId);
            }
            if (turnId != null) {
                b.setAttribute(TURN_ID, turnId);
            }
            Span span = b.startSpan();
            if (request instanceof ApprovalRequest.ToolCall) {
                putBounded(toolRequests, request, span);
            }
            return span;
        } catch (RuntimeException e) {
            failed("start a server request span", e);
            return null;
        }
    }

    /** The server request's virtual thread, around the handler (or inbox, or tool) that answers it. */
    @Override
    public Observer.@Nullable Scope enterServerRequest(@Nullable Object state) {
        return current(state, "a server request span");
    }

    /** The tool's virtual thread, around its interceptors and the tool. */
    @Override
    public Observer.@Nullable Scope enterToolCall(ApprovalRequest.ToolCall call) {
        return current(tools.get(call), "a tool span");
    }

    @Override
    public void serverRequestAnswered(@Nullable Object state, ApprovalRequest request, String decision,
            Duration latency) {
        if (!(state instanceof Span span)) {
            return;
        }
        try {
            toolRequests.remove(request, span);
            span.setAttribute(DECISION, decision);
            span.setAttribute(WAIT_MS, latency.toMillis());
            if (decision.startsWith("error")) {
                span.setStatus(StatusCode.ERROR, decision);
                span.setAttribute(ERROR_TYPE, decision);
            } else if ("interrupted".equals(decision)) {
                span.setAttribute(ERROR_TYPE, decision);
            }
            span.end();
        } catch (RuntimeException e) {
            failed("end a server request span", e);
        }
    }

    /** The server request's virtual thread: an {@code execute_tool} span, the child of the request's span. */
    @Override
    public void toolCallStarted(ApprovalRequest.ToolCall call) {
        try {
            putBounded(tools, call, toolSpan(call, null));
        } catch (RuntimeException e) {
            failed("start a tool span", e);
        }
    }

    @Override
    public void toolCallEnded(ApprovalRequest.ToolCall call, boolean success, Duration latency) {
        try {
            Span span = tools.remove(call);
            if (span == null) { // not reported started (e.g. the map was full): the span after the fact
                span = toolSpan(call, Instant.now().minus(latency));
            }
            if (!success) {
                span.setStatus(StatusCode.ERROR, "the tool failed");
                span.setAttribute(ERROR_TYPE, "tool_error");
            }
            span.end();
        } catch (RuntimeException e) {
            failed("end a tool span", e);
        }
    }

    private Span toolSpan(ApprovalRequest.ToolCall call, @Nullable Instant start) {
        DynamicToolCallParams p = call.params();
        Span request = toolRequests.get(call);
        Context parent = request != null ? Context.current().with(request) : Context.current();
        var b = tracer.spanBuilder("execute_tool " + p.tool()).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "execute_tool").setAttribute(TOOL_NAME, p.tool())
                .setAttribute(TOOL_CALL_ID, p.callId()).setAttribute(TOOL_TYPE, "function")
                .setAttribute(CONVERSATION, p.threadId()).setAttribute(TURN_ID, p.turnId());
        if (start != null) {
            b.setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS);
        }
        return b.startSpan();
    }

    /** @return the request's kind: {@code Command}, {@code FileChange}, {@code ToolCall}, ... (its record's name) */
    static String kind(ApprovalRequest request) {
        return request.getClass().getSimpleName();
    }

    private static <K> void putBounded(ConcurrentHashMap<K, Span> map, K key, Span span) {
        if (map.size() >= MAX_OPEN) {
            Iterator<Map.Entry<K, Span>> it = map.entrySet().iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        map.put(key, span);
    }

    void failed(String what, RuntimeException e) {
        System.Logger.Level level = warned.compareAndSet(false, true) ? System.Logger.Level.WARNING
                : System.Logger.Level.DEBUG;
        LOG.log(level, "codex4j OpenTelemetry could not " + what + " (later failures are logged at DEBUG)", e);
    }
}
