/**
 * The actor runtime (internal): transports, dispatcher, mailboxes, requests, the backoff and restart
 * policies (supervision itself is the SDK's). Exported only to
 * the SDK module; nothing here is public API.
 */
module dev.codex4j.runtime {
    requires transitive dev.codex4j.core;
    requires org.jctools.core.jdk11;
    requires jdk.jfr;
    requires static org.jspecify;

    exports dev.codex4j.internal.runtime to dev.codex4j, dev.codex4j.opentelemetry;
}
