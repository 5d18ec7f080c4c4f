package dev.codex4j.opentelemetry.internal;

import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.internal.runtime.RequestTracer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The connection's requests as client spans, each the child of the caller's current context, and
 * each one's W3C context for its {@code trace} member (W3C whatever propagators the application
 * configured: the member is W3C by the protocol). Stateless; {@link #start} runs on the caller's
 * thread, {@link RequestSpan#end} on the settling thread.
 */
final class RequestSpans implements RequestTracer {
    private static final TextMapSetter<String[]> W3C = (carrier, key, value) -> {
        if (carrier == null) {
            return;
        }
        if ("traceparent".equals(key)) {
            carrier[0] = value;
        } else if ("tracestate".equals(key)) {
            carrier[1] = value;
        }
    };

    private final Tracer tracer;
    private final BiConsumer<String, RuntimeException> failed;

    RequestSpans(Tracer tracer, BiConsumer<String, RuntimeException> failed) {
        this.tracer = tracer;
        this.failed = failed;
    }

    @Override
    public @Nullable Span start(String method) {
        try {
            Context parent = Context.current();
            io.opentelemetry.api.trace.Span span = tracer.spanBuilder(method).setParent(parent)
                    .setSpanKind(SpanKind.CLIENT).setAttribute(TracingSink.RPC_SYSTEM, "jsonrpc")
                    .setAttribute(TracingSink.RPC_METHOD, method).startSpan();
            String[] w3c = new String[2];
            W3CTraceContextPropagator.getInstance().inject(parent.with(span), w3c, W3C);
            return new RequestSpan(span, levelOne(w3c[0]), w3c[1], failed);
        } catch (RuntimeException e) {
            failed.accept("start a request span", e);
            return null;
        }
    }

    /**
     * The traceparent with only the {@code sampled} flag of its flags: the app-server (OpenTelemetry
     * for Rust) rejects a version-00 traceparent whose flags are above 02, and the OpenTelemetry
     * SDK for Java sets W3C Level 2's {@code random} flag (02), making them 03. The rejected context
     * would make the server's spans roots of traces of their own.
     */
    static @Nullable String levelOne(@Nullable String traceparent) {
        // 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>
        if (traceparent == null || traceparent.length() != 55 || !traceparent.startsWith("00-")) {
            return traceparent;
        }
        int flags = Character.digit(traceparent.charAt(54), 16);
        if (traceparent.charAt(53) == '0' && flags >= 0 && flags <= 1) {
            return traceparent;
        }
        return traceparent.substring(0, 53) + "0" + ((flags & 1) == 1 ? '1' : '0');
    }

    /** One request's span and the W3C context sent with each of its attempts. */
    private record RequestSpan(io.opentelemetry.api.trace.Span span, @Nullable String traceparent,
            @Nullable String tracestate, BiConsumer<String, RuntimeException> failed) implements Span {
        @Override
        public void end(@Nullable Throwable error) {
            try {
                if (error != null) {
                    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
                    span.setAttribute(TracingSink.ERROR_TYPE, error.getClass().getName());
                    if (error instanceof CodexRpcException rpc) {
                        span.setAttribute(TracingSink.RPC_ERROR_CODE, (long) rpc.code());
                    }
                }
                span.end();
            } catch (RuntimeException e) {
                failed.accept("end a request span", e);
            }
        }
    }
}
