package dev.codex4j;

import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.internal.sdk.JsonShape;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A record type's strict JSON Schema and its strict binder, derived once from the same model of
 * the type, so they agree: the names are the ones Jackson binds ({@code @JsonProperty}), enum
 * values the ones it writes ({@code @JsonValue}), every component is required, nothing else is
 * allowed, and only {@code Optional} and {@code @Nullable} components may be {@code null}.
 * Structured output ({@link CodexThread#run(String, Class)}) sends {@link #schema()} and binds
 * the answer with {@link #bind(String)}.
 *
 * <p>Binding never coerces: a missing member, an unknown member, a value of the wrong JSON type
 * ({@code "5"} for an {@code int}), {@code null} for a primitive or any other non-nullable
 * component, a number outside its Java type, an unknown enum value, a repeated member or text
 * after the value is a {@link StructuredOutputException} naming the JSON path and carrying the
 * text. Thread-safe and cached per type.
 *
 * <pre>{@code
 * record Verdict(boolean ok, int score, @Nullable String reason) {}
 * RecordSchema<Verdict> verdicts = RecordSchema.of(Verdict.class);
 * JsonNode schema = verdicts.schema();                       // send it as an outputSchema
 * Verdict v = verdicts.bind("{\"ok\":true,\"score\":3,\"reason\":null}");
 * verdicts.bind("{}");  // StructuredOutputException: $.ok: missing required member (in Verdict)
 * }</pre>
 *
 * @param <T> the record type
 */
public final class RecordSchema<T> {
    private static final ClassValue<RecordSchema<?>> CACHE = new ClassValue<>() {
        @Override
        protected RecordSchema<?> computeValue(Class<?> type) {
            return new RecordSchema<>(type);
        }
    };

    private final Class<T> type;
    private final JsonShape shape;
    private final JsonNode schema;

    private RecordSchema(Class<T> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException("Structured output needs a record type (the answer is a JSON object), not "
                    + type.getName());
        }
        this.type = type;
        this.shape = JsonShape.of(type);
        this.schema = shape.schema();
    }

    /**
     * @param type a record whose components are strings, numbers, booleans, enums, lists, arrays,
     *     {@code Optional}s and records of the same
     * @param <T> the record type
     * @return its schema and binder
     * @throws IllegalArgumentException for a type without a strict schema (not a record, a map, a
     *     recursive record, a component Jackson ignores, ...), naming the component
     */
    @SuppressWarnings("unchecked")
    public static <T> RecordSchema<T> of(Class<T> type) {
        return (RecordSchema<T>) CACHE.get(Objects.requireNonNull(type, "type"));
    }

    /** @return the record type */
    public Class<T> type() {
        return type;
    }

    /** @return the strict JSON Schema (a copy: changing it changes nothing here) */
    public JsonNode schema() {
        return schema.deepCopy();
    }

    /**
     * @param json the JSON text, for example a model's final answer
     * @return the record
     * @throws StructuredOutputException when the text is not JSON or does not have the schema's
     *     shape; it carries the text and the JSON path
     */
    public T bind(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode tree;
        try {
            tree = JsonShape.MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new StructuredOutputException("The answer is not one JSON value (expected " + type.getSimpleName()
                    + "): " + e.getOriginalMessage(), json, "$", e);
        }
        return bind(tree, json);
    }

    /**
     * @param json a JSON value
     * @return the record
     * @throws StructuredOutputException when the value does not have the schema's shape
     */
    public T bind(JsonNode json) {
        return bind(Objects.requireNonNull(json, "json"), json.toString());
    }

    /** @return why the value does not have the schema's shape ({@code "$.path: problem"}), or null when it does */
    @Nullable String mismatch(JsonNode tree) {
        JsonShape.Mismatch m = tree == null || tree.isMissingNode()
                ? new JsonShape.Mismatch("$", "expected an object (" + type.getSimpleName() + "), got nothing")
                : shape.check(tree, "$");
        return m == null ? null : m.path() + ": " + m.problem();
    }

    private T bind(JsonNode tree, String text) {
        JsonShape.Mismatch m = tree == null || tree.isMissingNode()
                ? new JsonShape.Mismatch("$", "expected an object (" + type.getSimpleName() + "), got nothing")
                : shape.check(tree, "$");
        if (m != null) {
            throw new StructuredOutputException("The answer does not match " + type.getSimpleName() + " at " + m.path()
                    + ": " + m.problem(), text, m.path(), null);
        }
        try {
            return JsonShape.MAPPER.treeToValue(tree, type);
        } catch (JacksonException e) {
            throw new StructuredOutputException("The answer does not bind as " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), text, "$", e);
        }
    }

    @Override
    public String toString() {
        return "RecordSchema[" + type.getName() + "]";
    }
}
