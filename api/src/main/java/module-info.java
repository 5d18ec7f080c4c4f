/** The public codex4j SDK. */
module dev.codex4j {
    requires transitive dev.codex4j.core;
    requires dev.codex4j.runtime;
    requires static org.jspecify;
    requires jdk.jfr;

    exports dev.codex4j;
    // the Observer SPI (Observer.Plugin), for the optional OpenTelemetry module only
    exports dev.codex4j.internal.sdk to dev.codex4j.opentelemetry;
}
