/**
 * The Codex app-server protocol: message model, JSON-RPC codec, routing keys, and the location of
 * the pinned Codex CLI.
 */
module dev.codex4j.core {
    requires transitive tools.jackson.databind;
    requires static org.jspecify;

    exports dev.codex4j.protocol;
    exports dev.codex4j.protocol.types;
    exports dev.codex4j.protocol.methods;
    // Internal: the dispatcher's line scanner, for the runtime and the SDK only.
    exports dev.codex4j.internal.protocol to dev.codex4j.runtime, dev.codex4j;

    opens dev.codex4j.protocol to tools.jackson.databind;
    opens dev.codex4j.protocol.types to tools.jackson.databind;
    opens dev.codex4j.protocol.methods to tools.jackson.databind;
    // Support for the generated types (not exported); Jackson instantiates its (de)serializers.
    opens dev.codex4j.protocol.internal to tools.jackson.databind;
}
