/**
 * OpenTelemetry traces for codex4j (optional): spans for turns, requests, server requests and tool
 * calls, and the W3C trace context in every JSON-RPC request. Needs the OpenTelemetry API only.
 */
@SuppressWarnings("requires-transitive-automatic") // OpenTelemetry's jars are automatic modules; its types are in this API
module dev.codex4j.opentelemetry {
    requires transitive dev.codex4j;
    requires dev.codex4j.runtime;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires static org.jspecify;

    exports dev.codex4j.opentelemetry;
}
