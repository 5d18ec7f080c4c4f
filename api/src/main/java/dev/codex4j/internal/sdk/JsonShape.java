package dev.codex4j.internal.sdk;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.introspect.BeanPropertyDefinition;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shape of a Java type as JSON, derived once and used three ways that therefore agree: the
 * JSON Schema sent to the model, the strict check of an answer against it (a path and a problem
 * for the first mismatch), and the names and values Jackson binds. Property names come from
 * Jackson's own introspection of the record ({@code @JsonProperty}, {@code @JsonIgnore}); enum
 * values are what Jackson writes for each constant ({@code @JsonValue}, {@code @JsonProperty}).
 *
 * <p>Supported: records (every component required; {@code Optional}, {@code OptionalInt/Long/Double}
 * and components annotated {@code @Nullable} may be JSON {@code null}), strings, {@code char},
 * integers (within their Java range), {@code BigInteger}, floating point and {@code BigDecimal},
 * booleans, enums, lists, collections and arrays. Not: maps, other classes, recursion.
 */
public sealed interface JsonShape {

    /** The binder's mapper: strict, so that anything the check lets through binds exactly. */
    JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** @return this shape as a strict JSON Schema (structured outputs' subset) */
    ObjectNode schema();

    /**
     * @param value the JSON value at {@code path}
     * @param path where it is, {@code $} for the root
     * @return the first mismatch, or null when the value has this shape
     */
    @Nullable Mismatch check(JsonNode value, String path);

    /**
     * @param path where, from {@code $}
     * @param problem what is wrong
     */
    record Mismatch(String path, String problem) {}

    /** A string ({@code single}: exactly one character, for {@code char}). */
    record Str(boolean single) implements JsonShape {
        @Override
        public ObjectNode schema() {
            return typed("string");
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            if (!v.isString()) {
                return expected(path, "a string", v);
            }
            return single && v.asString().codePointCount(0, v.asString().length()) != 1
                    ? new Mismatch(path, "expected one character, got " + v) : null;
        }
    }

    /** An integer within [min, max] (null bounds: a BigInteger). */
    record Int(@Nullable BigInteger min, @Nullable BigInteger max, String javaType) implements JsonShape {
        @Override
        public ObjectNode schema() {
            return typed("integer");
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            if (!v.isIntegralNumber()) {
                return expected(path, "an integer", v);
            }
            BigInteger n = v.bigIntegerValue();
            if ((min != null && n.compareTo(min) < 0) || (max != null && n.compareTo(max) > 0)) {
                return new Mismatch(path, "expected an integer within " + javaType + ", got " + v);
            }
            return null;
        }
    }

    /** Any JSON number. */
    record Num() implements JsonShape {
        @Override
        public ObjectNode schema() {
            return typed("number");
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            return v.isNumber() ? null : expected(path, "a number", v);
        }
    }

    /** true or false. */
    record Bool() implements JsonShape {
        @Override
        public ObjectNode schema() {
            return typed("boolean");
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            return v.isBoolean() ? null : expected(path, "a boolean", v);
        }
    }

    /** One of these values, as Jackson writes the constants. */
    record Enumeration(List<JsonNode> values) implements JsonShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = typed(values.stream().allMatch(JsonNode::isString) ? "string"
                    : values.stream().allMatch(JsonNode::isIntegralNumber) ? "integer" : "number");
            ArrayNode e = s.putArray("enum");
            values.forEach(e::add);
            return s;
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            return values.contains(v) ? null : new Mismatch(path, "expected one of "
                    + String.join(", ", values.stream().map(JsonNode::toString).toList()) + ", got " + describe(v));
        }
    }

    /** An array of items of one shape. */
    record Arr(JsonShape items) implements JsonShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = typed("array");
            s.set("items", items.schema());
            return s;
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            if (!v.isArray()) {
                return expected(path, "an array", v);
            }
            for (int i = 0; i < v.size(); i++) {
                Mismatch m = items.check(v.get(i), path + "[" + i + "]");
                if (m != null) {
                    return m;
                }
            }
            return null;
        }
    }

    /** The shape, or JSON null. */
    record OrNull(JsonShape inner) implements JsonShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            ArrayNode any = s.putArray("anyOf");
            any.add(inner.schema());
            any.addObject().put("type", "null");
            return s;
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            return v.isNull() ? null : inner.check(v, path);
        }
    }

    /**
     * A record: every member required, nothing else allowed.
     *
     * @param type the record
     * @param members JSON name -> shape, in component order
     */
    record Obj(Class<?> type, Map<String, JsonShape> members) implements JsonShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = typed("object");
            ObjectNode props = s.putObject("properties");
            members.forEach((name, shape) -> props.set(name, shape.schema()));
            ArrayNode required = s.putArray("required");
            members.keySet().forEach(required::add);
            s.put("additionalProperties", false);
            return s;
        }

        @Override
        public @Nullable Mismatch check(JsonNode v, String path) {
            if (!v.isObject()) {
                return expected(path, "an object (" + type.getSimpleName() + ")", v);
            }
            for (Map.Entry<String, JsonShape> m : members.entrySet()) {
                JsonNode member = v.get(m.getKey());
                String at = path + "." + m.getKey();
                if (member == null) {
                    return new Mismatch(at, "missing required member (in " + type.getSimpleName() + ")");
                }
                Mismatch bad = m.getValue().check(member, at);
                if (bad != null) {
                    return bad;
                }
            }
            for (Iterator<String> names = v.propertyNames().iterator(); names.hasNext(); ) {
                String name = names.next();
                if (!members.containsKey(name)) {
                    return new Mismatch(path + "." + name, "unknown member (" + type.getSimpleName() + " has "
                            + String.join(", ", members.keySet()) + ")");
                }
            }
            return null;
        }
    }

    /**
     * @param type a Java type
     * @return its shape
     * @throws IllegalArgumentException for a type that has none here, naming it and why
     */
    static JsonShape of(Type type) {
        return of(type, new HashSet<>(), type.getTypeName());
    }

    private static JsonShape of(Type type, Set<Class<?>> open, String where) {
        if (type instanceof WildcardType w && w.getUpperBounds().length == 1) {
            return of(w.getUpperBounds()[0], open, where);
        }
        if (type instanceof GenericArrayType g) {
            return new Arr(of(g.getGenericComponentType(), open, where));
        }
        if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
            Type arg = pt.getActualTypeArguments()[0];
            if (raw == Optional.class) {
                return new OrNull(of(arg, open, where));
            }
            if (raw == List.class || raw == Collection.class || raw == Iterable.class) {
                return new Arr(of(arg, open, where));
            }
            throw unsupported(raw, where);
        }
        if (!(type instanceof Class<?> c)) {
            throw new IllegalArgumentException("No JSON Schema for the type " + type.getTypeName() + " (at " + where
                    + "): use records, strings, numbers, booleans, enums, lists and Optional");
        }
        if (c == String.class) {
            return new Str(false);
        }
        if (c == char.class || c == Character.class) {
            return new Str(true);
        }
        if (c == boolean.class || c == Boolean.class) {
            return new Bool();
        }
        if (c == int.class || c == Integer.class) {
            return new Int(BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE), "int");
        }
        if (c == long.class || c == Long.class) {
            return new Int(BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE), "long");
        }
        if (c == short.class || c == Short.class) {
            return new Int(BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE), "short");
        }
        if (c == byte.class || c == Byte.class) {
            return new Int(BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE), "byte");
        }
        if (c == BigInteger.class) {
            return new Int(null, null, "BigInteger");
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class || c == BigDecimal.class) {
            return new Num();
        }
        if (c == OptionalInt.class) {
            return new OrNull(of(int.class, open, where));
        }
        if (c == OptionalLong.class) {
            return new OrNull(of(long.class, open, where));
        }
        if (c == OptionalDouble.class) {
            return new OrNull(new Num());
        }
        if (c.isEnum()) {
            List<JsonNode> values = new ArrayList<>();
            for (Object constant : c.getEnumConstants()) {
                values.add(MAPPER.valueToTree(constant));
            }
            return new Enumeration(List.copyOf(values));
        }
        if (c.isArray() && c != byte[].class) {
            return new Arr(of(c.getComponentType(), open, where));
        }
        if (c.isRecord()) {
            return record(c, open);
        }
        throw unsupported(c, where);
    }

    private static IllegalArgumentException unsupported(Class<?> c, String where) {
        return new IllegalArgumentException("No JSON Schema for " + c.getName() + (where.equals(c.getTypeName()) ? ""
                : " (at " + where + ")") + ": use records, strings, numbers, booleans, enums, lists and Optional"
                + (Map.class.isAssignableFrom(c) ? " (a map has no strict schema: use a record)" : "")
                + (Set.class.isAssignableFrom(c) ? " (a set would drop repeated items silently: use a List)" : ""));
    }

    private static JsonShape record(Class<?> c, Set<Class<?>> open) {
        if (!open.add(c)) {
            throw new IllegalArgumentException("The record " + c.getName() + " contains itself: a recursive type has no"
                    + " finite JSON Schema here");
        }
        Map<String, String> jsonNames = new HashMap<>();
        BeanDescription d = MAPPER._deserializationContext().introspectBeanDescriptionForCreation(MAPPER.constructType(c));
        for (BeanPropertyDefinition p : d.findProperties()) {
            jsonNames.put(p.getInternalName(), p.getName());
        }
        d.getIgnoredPropertyNames().forEach(jsonNames::remove);
        Map<String, JsonShape> members = new LinkedHashMap<>();
        for (RecordComponent rc : c.getRecordComponents()) {
            String name = jsonNames.get(rc.getName());
            String where = c.getSimpleName() + "." + rc.getName();
            if (name == null) {
                throw new IllegalArgumentException("The component " + where + " is not bound by Jackson (ignored?):"
                        + " structured output needs every component in the schema");
            }
            JsonShape shape = of(rc.getGenericType(), open, where);
            if (nullable(rc) && !(shape instanceof OrNull)) {
                if (rc.getType().isPrimitive()) {
                    throw new IllegalArgumentException("The primitive component " + where + " cannot be @Nullable");
                }
                shape = new OrNull(shape);
            }
            if (members.put(name, shape) != null) {
                throw new IllegalArgumentException("Two components of " + c.getName() + " have the JSON name " + name);
            }
        }
        open.remove(c);
        return new Obj(c, Collections.unmodifiableMap(members));
    }

    /** A {@code @Nullable} of any package (jspecify, jakarta, javax, JetBrains, ...), on the type or the component. */
    private static boolean nullable(RecordComponent rc) {
        AnnotatedType t = rc.getAnnotatedType();
        Set<Annotation> all = new LinkedHashSet<>(List.of(t.getAnnotations()));
        all.addAll(List.of(rc.getAnnotations()));
        all.addAll(List.of(rc.getAccessor().getAnnotations()));
        return all.stream().anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"));
    }

    private static ObjectNode typed(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    private static Mismatch expected(String path, String what, JsonNode got) {
        return new Mismatch(path, "expected " + what + ", got " + describe(got));
    }

    private static String describe(JsonNode v) {
        if (v.isNull()) {
            return "null";
        }
        if (v.isString()) {
            return "the string " + v;
        }
        if (v.isNumber()) {
            return "the number " + v;
        }
        if (v.isBoolean()) {
            return v.toString();
        }
        return v.isArray() ? "an array" : "an object";
    }
}
