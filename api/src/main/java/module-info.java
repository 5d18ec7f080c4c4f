/** The public codex4j SDK. */
module dev.codex4j {
    requires transitive dev.codex4j.core;
    requires dev.codex4j.runtime;
    requires static org.jspecify;
    requires jdk.jfr;

    exports dev.codex4j;
}
