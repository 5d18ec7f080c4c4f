/** Offline test tools: a mock model server, an offline Codex fixture and a fake app-server. */
module dev.codex4j.testkit {
    requires transitive dev.codex4j.core;
    requires static org.jspecify;
}
