/** Micrometer metrics of codex4j clients: {@link dev.codex4j.micrometer.CodexMetrics}. */
module dev.codex4j.micrometer {
    requires transitive dev.codex4j;
    requires transitive micrometer.core;
    requires static org.jspecify;

    exports dev.codex4j.micrometer;
}
