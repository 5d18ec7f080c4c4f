package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Small helpers to build request parameters. */
final class Params {
    private Params() {}

    static ObjectNode object() {
        return ProtocolCodec.emptyObject();
    }

    static void put(ObjectNode o, String name, @Nullable Object value) {
        if (value == null) {
            return;
        }
        o.set(name, value instanceof JsonNode n ? n : ProtocolCodec.mapper().valueToTree(value));
    }

    static Map<String, JsonNode> copyExtra(Map<String, JsonNode> extra) {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        extra.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return java.util.Collections.unmodifiableMap(copy);
    }

    static JsonNode tree(@Nullable Object value) {
        return value instanceof JsonNode n ? n : ProtocolCodec.mapper().valueToTree(value);
    }
}
