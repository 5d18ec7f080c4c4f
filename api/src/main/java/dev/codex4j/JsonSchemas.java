package dev.codex4j;

import dev.codex4j.internal.sdk.JsonShape;
import tools.jackson.databind.JsonNode;

/**
 * Derives a strict JSON Schema (every property required, no additional properties, as structured
 * outputs require) from a Java type, with the names and values Jackson binds. For a record,
 * {@link RecordSchema} gives the same schema together with the strict binder that agrees with it.
 *
 * <pre>{@code
 * record Verdict(boolean ok, String reason) {}
 * JsonNode schema = JsonSchemas.of(Verdict.class);
 * }</pre>
 */
public final class JsonSchemas {
    private JsonSchemas() {}

    /**
     * @param type a record, or a string, number, boolean, enum, array or {@code char} type
     * @return its JSON Schema
     * @throws IllegalArgumentException for types that have no strict JSON Schema here (maps,
     *     sets, other classes, recursive records), naming the type and the component
     */
    public static JsonNode of(Class<?> type) {
        return type.isRecord() ? RecordSchema.of(type).schema() : JsonShape.of(type).schema();
    }
}
