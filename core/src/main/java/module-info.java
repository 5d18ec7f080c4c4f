/**
 * The Codex app-server protocol: message model, JSON-RPC codec, routing keys, and the location (and,
 * when missing, the install) of the pinned Codex CLI.
 */
module dev.codex4j.core {
    requires transitive tools.jackson.databind;
    requires static org.jspecify;
    // The installer of a missing Codex CLI (dev.codex4j.protocol.internal.install) downloads it.
    requires java.net.http;

    exports dev.codex4j.protocol;
    exports dev.codex4j.errors;
    exports dev.codex4j.protocol.types;
    exports dev.codex4j.protocol.methods;

    opens dev.codex4j.protocol to tools.jackson.databind;
    opens dev.codex4j.protocol.types to tools.jackson.databind;
    opens dev.codex4j.protocol.methods to tools.jackson.databind;
    // Internal: support for the generated types and the dispatcher's line scanner, exported to the
    // runtime and the SDK only; Jackson instantiates its (de)serializers.
    exports dev.codex4j.protocol.internal to dev.codex4j.runtime, dev.codex4j;
    opens dev.codex4j.protocol.internal to tools.jackson.databind;
}
