package dev.codex4j.opentelemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.codex4j.Codex;
import dev.codex4j.RunResult;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One trace across the application, the SDK and the real Codex CLI: the CLI exports its own spans
 * over OTLP/HTTP (JSON) to a receiver this test runs on loopback, and they join the trace that the
 * application's span began, below the SDK's spans.
 */
class CodexTelemetryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** An OTLP/HTTP receiver of JSON trace exports: keeps every span it is sent. */
    static final class OtlpReceiver implements AutoCloseable {
        /** One span the CLI exported: ids in hex, as OTLP/JSON writes them. */
        record Exported(String traceId, String spanId, String parentSpanId, String name) {}

        final HttpServer server;
        final List<Exported> spans = new CopyOnWriteArrayList<>();
        final Map<String, Integer> posts = new ConcurrentHashMap<>();

        OtlpReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                posts.merge(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders()
                        .getFirst("Content-Type"), 1, Integer::sum);
                if (exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
                    collect(ProtocolCodec.mapper().readTree(new String(body, StandardCharsets.UTF_8)));
                }
                byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
                exchange.close();
            });
            server.start();
        }

        private void collect(JsonNode export) {
            for (JsonNode rs : export.path("resourceSpans")) {
                for (JsonNode ss : rs.path("scopeSpans")) {
                    for (JsonNode s : ss.path("spans")) {
                        spans.add(new Exported(s.path("traceId").asString(""), s.path("spanId").asString(""),
                                s.path("parentSpanId").asString(""), s.path("name").asString("")));
                    }
                }
            }
        }

        String tracesEndpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void theAppServersSpansJoinTheApplicationsTraceBelowTheSdksTurn() throws Exception {
        InMemorySpanExporter sdkSpans = InMemorySpanExporter.create();
        try (OtlpReceiver receiver = new OtlpReceiver();
                OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(sdkSpans)).build()).build();
                OfflineCodex offline = OfflineCodex.builder()
                        .config("otel.trace_exporter", "{ otlp-http = { endpoint = \"" + receiver.tracesEndpoint()
                                + "\", protocol = \"json\" } }")
                        .start()) {
            offline.server().enqueue(ModelReply.message("traced"));
            Tracer app = otel.getTracer("the-application");
            Span root = app.spanBuilder("handle-request").startSpan();
            RunResult r;
            try (Codex codex = Codex.builder().launch(offline.launch())
                    .eventListener(CodexTelemetry.create(otel).eventListener()).build()) {
                try (Scope s = root.makeCurrent()) {
                    r = codex.startThread().run("q");
                } finally {
                    root.end();
                }
            } // closing the client ends the CLI, which flushes its spans
            assertEquals("traced", r.finalResponse().orElseThrow());
            String traceId = root.getSpanContext().getTraceId();
            SpanData turnStart = sdkSpans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("turn/start")).findFirst().orElseThrow();
            SpanData turn = sdkSpans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("invoke_agent codex")).findFirst().orElseThrow();
            assertEquals(turn.getSpanId(), turnStart.getParentSpanId());

            await().atMost(WAIT).until(() -> receiver.spans.stream().anyMatch(s -> s.traceId().equals(traceId)));
            List<OtlpReceiver.Exported> joined = new ArrayList<>(receiver.spans.stream()
                    .filter(s -> s.traceId().equals(traceId)).toList());
            // the app-server's span of each request is the child of the SDK's span of that request
            for (String method : List.of("thread/start", "turn/start")) {
                SpanData client = sdkSpans.getFinishedSpanItems().stream()
                        .filter(s -> s.getName().equals(method)).findFirst().orElseThrow();
                assertTrue(joined.stream().anyMatch(s -> s.name().equals(method)
                        && s.parentSpanId().equals(client.getSpanId())),
                        "the app-server's " + method + " span is the child of the SDK's: " + joined);
            }
            OtlpReceiver.Exported serverTurnStart = joined.stream().filter(s -> s.name().equals("turn/start")
                    && s.parentSpanId().equals(turnStart.getSpanId())).findFirst().orElseThrow();
            List<String> below = joined.stream().filter(s -> s.parentSpanId().equals(serverTurnStart.spanId()))
                    .map(OtlpReceiver.Exported::name).distinct().toList();
            // and the CLI carries the trace on to the model's HTTP request
            List<String> toModel = offline.server().requests().stream()
                    .map(q -> q.header("traceparent").orElse("none")).toList();
            assertTrue(!toModel.isEmpty() && toModel.stream().allMatch(tp -> tp.startsWith("00-" + traceId + "-")),
                    "the model's requests carry the application's trace: " + toModel);
            System.out.println("[otel-it] posts " + receiver.posts + "; " + joined.size()
                    + " of the CLI's spans in the application's trace: "
                    + joined.stream().map(OtlpReceiver.Exported::name).distinct().toList()
                    + "; below the server's turn/start: " + below);
        }
    }
}
