package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Derives a strict JSON Schema (every property required, no additional properties, as structured
 * outputs require) from a record type.
 *
 * <pre>{@code
 * record Verdict(boolean ok, String reason) {}
 * JsonNode schema = JsonSchemas.of(Verdict.class);
 * }</pre>
 */
public final class JsonSchemas {
    private JsonSchemas() {}

    /**
     * @param type a record (or a String, number, boolean or enum type)
     * @return its JSON Schema
     * @throws IllegalArgumentException for types that have no JSON Schema here (maps, recursion, ...)
     */
    public static JsonNode of(Class<?> type) {
        return schema(type, new HashSet<>());
    }

    private static ObjectNode schema(Type type, Set<Class<?>> seen) {
        ObjectNode s = ProtocolCodec.emptyObject();
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type arg = pt.getActualTypeArguments()[0];
            if (Collection.class.isAssignableFrom(raw)) {
                s.put("type", "array");
                s.set("items", schema(arg, seen));
                return s;
            }
            if (raw == Optional.class) {
                ObjectNode inner = schema(arg, seen);
                ArrayNode anyOf = s.putArray("anyOf");
                anyOf.add(inner);
                anyOf.addObject().put("type", "null");
                return s;
            }
            throw new IllegalArgumentException("No JSON Schema for " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class || c == char.class || c == Character.class) {
            s.put("type", "string");
        } else if (c == boolean.class || c == Boolean.class) {
            s.put("type", "boolean");
        } else if (c == int.class || c == long.class || c == short.class || c == byte.class || c == Integer.class
                || c == Long.class || c == Short.class || c == Byte.class || c == java.math.BigInteger.class) {
            s.put("type", "integer");
        } else if (c == double.class || c == float.class || c == Double.class || c == Float.class
                || c == java.math.BigDecimal.class) {
            s.put("type", "number");
        } else if (c.isEnum()) {
            s.put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object constant : c.getEnumConstants()) {
                values.add(((Enum<?>) constant).name());
            }
        } else if (c.isArray()) {
            s.put("type", "array");
            s.set("items", schema(c.getComponentType(), seen));
        } else if (c.isRecord()) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("Recursive record " + c.getName() + " has no finite JSON Schema");
            }
            s.put("type", "object");
            ObjectNode props = s.putObject("properties");
            ArrayNode required = s.putArray("required");
            for (RecordComponent rc : c.getRecordComponents()) {
                props.set(rc.getName(), schema(rc.getGenericType(), seen));
                required.add(rc.getName());
            }
            s.put("additionalProperties", false);
            seen.remove(c);
        } else {
            throw new IllegalArgumentException("No JSON Schema for " + c.getName()
                    + ": use records, strings, numbers, booleans, enums, lists and Optional");
        }
        return s;
    }
}
