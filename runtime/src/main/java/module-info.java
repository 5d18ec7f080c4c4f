/** The actor runtime (internal): transports, dispatcher, mailboxes, supervision. */
module dev.codex4j.runtime {
    requires transitive dev.codex4j.core;
    requires org.jctools.core.jdk11;
    requires static org.jspecify;
}
