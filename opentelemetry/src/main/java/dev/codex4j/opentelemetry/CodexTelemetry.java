package dev.codex4j.opentelemetry;

import dev.codex4j.CodexEventListener;
import dev.codex4j.opentelemetry.internal.TracingSink;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;

/**
 * Traces a {@link dev.codex4j.Codex} client with OpenTelemetry: a span for each turn, each JSON-RPC
 * request, each server request and each client-side tool call (names and attributes follow the
 * OpenTelemetry GenAI semantic conventions where they apply; docs/OBSERVABILITY.md lists them), and
 * the W3C trace context ({@code traceparent}, {@code tracestate}) of each request in its
 * {@code trace} member, so that the app-server's own spans join the caller's trace. A turn's
 * {@code turn/start} is sent inside the turn's span.
 *
 * <p>Uses the OpenTelemetry API only: the application brings the SDK and its exporters (or the Java
 * agent). The trace member is always W3C, whatever propagators the application configured.
 * Immutable and thread-safe; one instance may serve several clients.
 *
 * <pre>{@code
 * CodexTelemetry telemetry = CodexTelemetry.create(openTelemetry);
 * try (Codex codex = Codex.builder().eventListener(telemetry.eventListener()).build()) {
 *     Span span = tracer.spanBuilder("answer").startSpan();
 *     try (Scope s = span.makeCurrent()) {
 *         codex.startThread().run("Say hi"); // invoke_agent codex, turn/start, ... are children of "answer"
 *     } finally {
 *         span.end();
 *     }
 * }
 * }</pre>
 */
public final class CodexTelemetry {
    /** The instrumentation scope of the spans. */
    public static final String INSTRUMENTATION_NAME = "dev.codex4j.opentelemetry";

    private final TracingSink sink;

    private CodexTelemetry(OpenTelemetry openTelemetry) {
        this.sink = new TracingSink(openTelemetry.getTracer(INSTRUMENTATION_NAME));
    }

    /**
     * @param openTelemetry the application's OpenTelemetry (its tracer provider makes the spans)
     * @return telemetry that traces with it
     */
    public static CodexTelemetry create(OpenTelemetry openTelemetry) {
        return new CodexTelemetry(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /**
     * The listener to give {@link dev.codex4j.CodexBuilder#eventListener(CodexEventListener)}: it
     * plugs this telemetry into the client (beside any listeners of your own). The SDK does not call
     * its callbacks; calling them yourself does nothing.
     *
     * @return the listener, the same one every time
     */
    public CodexEventListener eventListener() {
        return sink.listener();
    }
}
