package dev.codex4j.protocol.internal;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonCodec;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RequestId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strict reading and writing for the generated protocol types: the few operations their codecs
 * share. Not API (the package is not exported); generated code is its only user.
 *
 * <p>Readers take the parser positioned on the value's first token and leave it on the value's
 * last token. They accept exactly the JSON type the schema names: a string is only
 * {@code VALUE_STRING}, an integer only {@code VALUE_NUMBER_INT} within {@code long}, a boolean
 * only {@code true}/{@code false}; {@code null} only where the caller allows it.
 */
public final class Json {
    /** The shared factory (the protocol mapper's: its read constraints bound nesting and strings). */
    public static final TokenStreamFactory FACTORY = ProtocolCodec.mapper().tokenStreamFactory();
    /** Marks a member the type does not know in a recorded member order. */
    public static final byte EXTRA = -1;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The member order of a value that was built, not read: members are written in schema order. */
    public static final byte[] NO_ORDER = {};

    private Json() {}

    // ------------------------------------------------------------------------------------------
    // Scalars

    /** @param p the parser @return the string @throws DecodeException unless the token is a string */
    public static String readString(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        throw expected(p, "a string");
    }

    /** @param p the parser @return the string or null @throws DecodeException unless a string or null */
    public static @Nullable String readNullableString(JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : readString(p);
    }

    /** @param p the parser @return the integer @throws DecodeException unless an integer within long */
    public static long readLong(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            throw problem(p, "integer out of the range of a 64-bit signed integer: " + p.getString());
        }
        throw expected(p, "an integer");
    }

    /** @param p the parser @return the integer or null @throws DecodeException unless an integer or null */
    public static @Nullable Long readNullableLong(JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : readLong(p);
    }

    /** @param p the parser @return the number @throws DecodeException unless a number */
    public static double readDouble(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getDoubleValue();
        }
        throw expected(p, "a number");
    }

    /** @param p the parser @return the number or null @throws DecodeException unless a number or null */
    public static @Nullable Double readNullableDouble(JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : readDouble(p);
    }

    /** @param p the parser @return the boolean @throws DecodeException unless true or false */
    public static boolean readBoolean(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw expected(p, "a boolean");
    }

    /** @param p the parser @return the boolean or null @throws DecodeException unless a boolean or null */
    public static @Nullable Boolean readNullableBoolean(JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : readBoolean(p);
    }

    /** @param p the parser @return the id @throws DecodeException unless a string or an integer */
    public static RequestId readRequestId(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return RequestId.of(p.getString());
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return RequestId.of(readLong(p));
        }
        throw expected(p, "a string or an integer");
    }

    /**
     * @param g the generator
     * @param id the id to write
     */
    public static void writeRequestId(JsonGenerator g, RequestId id) {
        switch (id) {
            case RequestId.Num n -> g.writeNumber(n.value());
            case RequestId.Str s -> g.writeString(s.value());
        }
    }

    /** @param p the parser @throws DecodeException unless the current token starts an object */
    public static void expectObject(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw expected(p, "an object");
        }
    }

    /**
     * Reads a union tag that the form's own codec met (the union's codec reads it before choosing the form).
     *
     * @param p the parser, on the tag's value
     * @param expected the form's tag value
     */
    public static void readTag(JsonParser p, String expected) {
        if (!expected.equals(readString(p))) {
            throw problem(p, "expected \"" + expected + "\", got " + describe(p));
        }
    }

    /**
     * @param names JSON member names
     * @return their serialized forms, for fast writing
     */
    public static SerializedString[] wire(String[] names) {
        SerializedString[] w = new SerializedString[names.length];
        for (int i = 0; i < names.length; i++) {
            w[i] = new SerializedString(names[i]);
        }
        return w;
    }

    /**
     * @param names JSON member names by index
     * @param missing a bit set of missing members
     * @return their names, joined by {@code ", "}
     */
    public static String missingNames(String[] names, long missing) {
        StringBuilder b = new StringBuilder();
        for (long rest = missing; rest != 0; rest &= rest - 1) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append(names[Long.numberOfTrailingZeros(rest)]);
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Trees (free-form members, members the schema does not name, unknown union forms)

    /**
     * Reads any JSON value as a tree, as {@code ObjectMapper.readTree} would (integers as int, long
     * or big integer nodes by size, other numbers as doubles, the last of duplicate members wins).
     *
     * @param p the parser
     * @return the tree; {@code null} is a {@code NullNode}
     */
    public static JsonNode readTree(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw problem(p, "no value");
        }
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = F.objectNode();
                for (String name = p.nextName(); name != null; name = p.nextName()) {
                    p.nextToken();
                    o.set(name, readTree(p));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = F.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(readTree(p));
                }
                yield a;
            }
            case VALUE_STRING -> F.stringNode(p.getString());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> F.numberNode(p.getIntValue());
                case LONG -> F.numberNode(p.getLongValue());
                default -> F.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> F.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> F.booleanNode(true);
            case VALUE_FALSE -> F.booleanNode(false);
            case VALUE_NULL -> F.nullNode();
            case VALUE_EMBEDDED_OBJECT -> F.pojoNode(p.getEmbeddedObject());
            default -> throw problem(p, "unexpected token " + t);
        };
    }

    /**
     * Writes a tree without needing the generator's write context (so any generator will do).
     *
     * @param g the generator
     * @param n the tree
     */
    public static void writeTree(JsonGenerator g, JsonNode n) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeName(e.getKey());
                    writeTree(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode c : n) {
                    writeTree(g, c);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.stringValue());
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                    default -> g.writeNumber(n.doubleValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case BINARY -> g.writeBinary(n.binaryValue());
            case POJO -> g.writePOJO(((tools.jackson.databind.node.POJONode) n).getPojo());
            default -> g.writeNull();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Containers

    /**
     * @param p the parser, on {@code START_ARRAY}
     * @param item the items' codec (it rejects {@code null} unless the items may be null)
     * @param <T> the item type
     * @return an unmodifiable list
     */
    public static <T> List<T> readList(JsonParser p, JsonCodec<T> item) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw expected(p, "an array");
        }
        if (p.nextToken() == JsonToken.END_ARRAY) {
            return List.of();
        }
        ArrayList<T> l = new ArrayList<>();
        do {
            l.add(item.read(p));
        } while (p.nextToken() != JsonToken.END_ARRAY);
        return Collections.unmodifiableList(l);
    }

    /**
     * @param g the generator
     * @param l the list
     * @param item the items' codec
     * @param <T> the item type
     */
    public static <T> void writeList(JsonGenerator g, List<T> l, JsonCodec<T> item) {
        g.writeStartArray();
        for (T t : l) {
            item.write(t, g);
        }
        g.writeEndArray();
    }

    /**
     * @param p the parser, on {@code START_OBJECT}
     * @param value the values' codec
     * @param nullableValues whether a value may be {@code null}
     * @param <T> the value type
     * @return an unmodifiable map in the order of the JSON
     */
    public static <T> Map<String, @Nullable T> readMap(JsonParser p, JsonCodec<T> value, boolean nullableValues) {
        expectObject(p);
        LinkedHashMap<String, @Nullable T> m = new LinkedHashMap<>();
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            if (m.containsKey(name)) {
                throw duplicate(p);
            }
            JsonToken t = p.nextToken();
            m.put(name, nullableValues && t == JsonToken.VALUE_NULL ? null : value.read(p));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * @param g the generator
     * @param m the map
     * @param value the values' codec
     * @param <T> the value type
     */
    public static <T> void writeMap(JsonGenerator g, Map<String, ? extends @Nullable T> m, JsonCodec<T> value) {
        g.writeStartObject();
        for (Map.Entry<String, ? extends @Nullable T> e : m.entrySet()) {
            g.writeName(e.getKey());
            T v = e.getValue();
            if (v == null) {
                g.writeNull();
            } else {
                value.write(v, g);
            }
        }
        g.writeEndObject();
    }

    /**
     * Keeps a member the type does not know.
     *
     * @param m the members kept so far, or null
     * @param p the parser, on the member's value (its name is the current name)
     * @return the map, created when {@code m} is null
     */
    public static LinkedHashMap<String, JsonNode> putExtra(@Nullable LinkedHashMap<String, JsonNode> m, JsonParser p) {
        String name = p.currentName();
        if (m == null) {
            m = new LinkedHashMap<>(4);
        } else if (m.containsKey(name)) {
            throw duplicate(p);
        }
        m.put(name, readTree(p));
        return m;
    }

    /** @param m kept members or null @return an unmodifiable view, empty for null */
    public static Map<String, JsonNode> extras(@Nullable LinkedHashMap<String, JsonNode> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
    }

    /**
     * @param m members for a builder, may be null or empty
     * @return a copy that keeps the order and rejects null names and values
     */
    public static Map<String, JsonNode> copyExtras(@Nullable Map<String, ? extends JsonNode> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, JsonNode> c = new LinkedHashMap<>(m.size() * 2);
        m.forEach((k, v) -> {
            java.util.Objects.requireNonNull(k, "additional property name");
            java.util.Objects.requireNonNull(v, "additional property value");
            c.put(k, v);
        });
        return Collections.unmodifiableMap(c);
    }

    /**
     * @param names the type's JSON member names
     * @param name a name for an additional property
     * @param type the type, for the message
     * @throws IllegalArgumentException when the name is one of the type's members
     */
    public static void checkExtraName(String[] names, String name, String type) {
        java.util.Objects.requireNonNull(name, "name");
        for (String n : names) {
            if (n.equals(name)) {
                throw new IllegalArgumentException("\"" + name + "\" is a member of " + type
                        + ": set it with its own builder method");
            }
        }
    }

    /**
     * @param m current additional properties
     * @param name a name
     * @param value its value
     * @return a copy with the member added or replaced
     */
    public static Map<String, JsonNode> withExtra(Map<String, JsonNode> m, String name, JsonNode value) {
        java.util.Objects.requireNonNull(value, "value");
        LinkedHashMap<String, JsonNode> c = new LinkedHashMap<>(m);
        c.put(name, value);
        return Collections.unmodifiableMap(c);
    }

    /**
     * @param m current additional properties
     * @param name a name
     * @return a copy without the member
     */
    public static Map<String, JsonNode> withoutExtra(Map<String, JsonNode> m, String name) {
        if (!m.containsKey(name)) {
            return m;
        }
        LinkedHashMap<String, JsonNode> c = new LinkedHashMap<>(m);
        c.remove(name);
        return c.isEmpty() ? Map.of() : Collections.unmodifiableMap(c);
    }

    /**
     * @param g the generator
     * @param e a member the type does not know
     */
    public static void writeExtra(JsonGenerator g, Map.Entry<String, JsonNode> e) {
        g.writeName(e.getKey());
        writeTree(g, e.getValue());
    }

    /**
     * @param l a list for a builder
     * @param <T> the item type
     * @return an unmodifiable copy (items must not be null)
     */
    public static <T> List<T> copyList(List<? extends T> l) {
        return List.copyOf(l);
    }

    /**
     * @param m a map for a builder
     * @param nullableValues whether values may be null
     * @param <T> the value type
     * @return an unmodifiable copy in the same order
     */
    public static <T> Map<String, @Nullable T> copyMap(Map<String, ? extends @Nullable T> m, boolean nullableValues) {
        LinkedHashMap<String, @Nullable T> c = new LinkedHashMap<>(m.size() * 2);
        m.forEach((k, v) -> {
            java.util.Objects.requireNonNull(k, "key");
            if (v == null && !nullableValues) {
                throw new NullPointerException("value of " + k);
            }
            c.put(k, v);
        });
        return Collections.unmodifiableMap(c);
    }

    // ------------------------------------------------------------------------------------------
    // Unions

    /**
     * Reads the rest of an object whose first member a union's codec already looked at.
     *
     * @param p the parser: on {@code END_OBJECT} when {@code first} is null, else on the first member's
     *     name ({@code valueRead} false) or its value ({@code valueRead} true)
     * @param first the first member's name, or null for an empty object
     * @param valueRead whether the parser is already on the first member's value
     * @return the whole object; the parser is on its {@code END_OBJECT}
     */
    public static ObjectNode restOfObject(JsonParser p, @Nullable String first, boolean valueRead) {
        ObjectNode o = F.objectNode();
        if (first == null) {
            return o;
        }
        if (!valueRead) {
            p.nextToken();
        }
        o.set(first, readTree(p));
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            p.nextToken();
            o.set(name, readTree(p));
        }
        return o;
    }

    /**
     * Binds a buffered part of the document with paths as in the whole document.
     *
     * @param n the part
     * @param outer the parser of the document, on the part's last token
     * @param codec the codec
     * @param <T> the type
     * @return the value
     */
    public static <T> T bindTree(JsonNode n, JsonParser outer, JsonCodec<T> codec) {
        return bindTree(n, outer, codec, false);
    }

    /**
     * Binds a buffered part of the document with paths as in the whole document.
     *
     * @param n the part
     * @param outer the parser of the document, on the part's last token
     * @param codec the codec
     * @param strict bind strictly even when {@code outer} is {@link Lenient}
     * @param <T> the type
     * @return the value
     */
    public static <T> T bindTree(JsonNode n, JsonParser outer, JsonCodec<T> codec, boolean strict) {
        String prefix = path(outer);
        if (!strict && outer instanceof Lenient) {
            return codec.read(Lenient.of(n, prefix));
        }
        try (JsonParser sub = n.traverse(ObjectReadContext.empty())) {
            sub.nextToken();
            return codec.read(sub);
        } catch (DecodeException e) {
            throw e.under(prefix);
        }
    }

    /**
     * @param o an object
     * @param name a member name
     * @param values allowed values
     * @return true when the member is absent or a string among the values
     */
    public static boolean stringIn(JsonNode o, String name, String... values) {
        JsonNode v = o.get(name);
        if (v == null) {
            return true;
        }
        if (!v.isString()) {
            return false;
        }
        for (String s : values) {
            if (s.equals(v.stringValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param o an object
     * @param names allowed member names
     * @return true when the object has no member outside them
     */
    public static boolean onlyKeys(JsonNode o, String... names) {
        for (String k : o.propertyNames()) {
            boolean found = false;
            for (String n : names) {
                if (n.equals(k)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** @param t a token @return the JSON type it starts, e.g. {@code "number"} */
    public static String typeOf(@Nullable JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    // ------------------------------------------------------------------------------------------
    // Member order: a value that was read writes its members back in the order they came in.

    /**
     * The last member order seen for one type. Most values of a type arrive in the same order, so
     * decoding shares one array per type instead of allocating one per value.
     */
    public static final class OrderCache {
        private volatile byte[] last = NO_ORDER;

        /** @return the last order seen (never null) */
        public byte[] last() {
            return last;
        }
    }

    /**
     * Records the member at position {@code n} of the value being read.
     *
     * @param last the type's last order, from {@link OrderCache#last()}
     * @param own the value's own order when it already differs from {@code last}, else null
     * @param n the member's position
     * @param ix the member's index, or {@link #EXTRA}
     * @return the value's own order, or null while it still equals {@code last}
     */
    public static byte @Nullable [] order(byte[] last, byte @Nullable [] own, int n, int ix) {
        if (own == null) {
            if (n < last.length && last[n] == ix) {
                return null;
            }
            own = Arrays.copyOf(last, Math.max(n + 8, 16));
        } else if (n == own.length) {
            own = Arrays.copyOf(own, n * 2);
        }
        own[n] = (byte) ix;
        return own;
    }

    /**
     * @param cache the type's cache
     * @param last its last order, as passed to {@link #order}
     * @param own the value's own order or null
     * @param n the number of members read
     * @return the value's order (shared with other values when equal)
     */
    public static byte[] finishOrder(OrderCache cache, byte[] last, byte @Nullable [] own, int n) {
        if (own == null && n == last.length) {
            return last;
        }
        byte[] o = Arrays.copyOf(own == null ? last : own, n);
        cache.last = o;
        return o;
    }

    // ------------------------------------------------------------------------------------------
    // Errors

    /**
     * @param p the parser, on the offending value
     * @param what what was expected, e.g. {@code "a string"}
     * @return the error
     */
    public static DecodeException expected(JsonParser p, String what) {
        return new DecodeException(path(p), "expected " + what + ", got " + describe(p), null);
    }

    /**
     * @param p the parser, on the object's {@code END_OBJECT}
     * @param members the missing members' JSON names, joined
     * @return the error, at the path of the first missing member
     */
    public static DecodeException missing(JsonParser p, String members) {
        String first = members.contains(", ") ? members.substring(0, members.indexOf(", ")) : members;
        return new DecodeException(path(p) + segment(first), members.contains(", ")
                ? "missing required members " + members : "missing required member", null);
    }

    /**
     * @param p the parser, on the object's {@code END_OBJECT}
     * @param alternatives the alternatives, e.g. {@code "url | fileId"}
     * @return the error
     */
    public static DecodeException noAlternative(JsonParser p, String alternatives) {
        return new DecodeException(path(p), "needs one of the members " + alternatives, null);
    }

    /** @param p the parser, on a repeated member's name or value @return the error */
    public static DecodeException duplicate(JsonParser p) {
        return new DecodeException(path(p), "duplicate member", null);
    }

    /**
     * @param p the parser, on the offending value
     * @param problem what is wrong
     * @return the error
     */
    public static DecodeException problem(JsonParser p, String problem) {
        return new DecodeException(path(p), problem, null);
    }

    /** @param p the parser @return the JSON path of the current value, e.g. {@code $.item.content[2].text} */
    public static String path(JsonParser p) {
        String relative = path(p.streamReadContext());
        return p instanceof Lenient l ? l.absolute(relative) : relative;
    }

    static String path(@Nullable TokenStreamContext c) {
        ArrayList<String> segs = new ArrayList<>();
        for (; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject()) {
                String n = c.currentName();
                if (n != null) {
                    segs.add(segment(n));
                }
            } else if (c.inArray() && c.hasCurrentIndex()) {
                segs.add("[" + c.getCurrentIndex() + "]");
            }
        }
        StringBuilder b = new StringBuilder("$");
        for (int i = segs.size() - 1; i >= 0; i--) {
            b.append(segs.get(i));
        }
        return b.toString();
    }

    /** @param name a member name @return {@code .name}, or {@code ['na me']} when it is not a plain identifier */
    public static String segment(String name) {
        boolean plain = !name.isEmpty() && (Character.isLetter(name.charAt(0)) || name.charAt(0) == '_');
        for (int i = 0; plain && i < name.length(); i++) {
            char c = name.charAt(i);
            plain = Character.isLetterOrDigit(c) || c == '_';
        }
        return plain ? "." + name : "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    private static String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_STRING -> "the string " + quote(p.getString());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + shorten(p.getString());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> t.toString();
        };
    }

    private static String quote(String s) {
        return "\"" + shorten(s).replace("\"", "\\\"") + "\"";
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /**
     * @param o a JSON object (or anything)
     * @param name a member name
     * @return the member's string value, or null when it is absent or not a string
     */
    public static @Nullable String textMember(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v != null && v.isString() ? v.asString() : null;
    }

    // ------------------------------------------------------------------------------------------
    // Lenient binding (strict at the member): see Lenient and Unbound

    /**
     * Records the required members a lenient read found missing.
     *
     * @param u the members recorded so far, or null
     * @param p the parser, on the object's {@code END_OBJECT}
     * @param type the owning type's name
     * @param names the members' JSON names, by index
     * @param javaNames their Java names
     * @param javaTypes their Java types
     * @param missing the bits of the missing members
     * @return the members recorded, with the missing ones
     */
    public static Unbound missingMembers(@Nullable Unbound u, JsonParser p, String type, String[] names,
                                         String[] javaNames, String[] javaTypes, long missing) {
        String at = path(p);
        for (long rest = missing; rest != 0; rest &= rest - 1) {
            int ix = Long.numberOfTrailingZeros(rest);
            u = Unbound.add(u, type, javaNames, javaTypes, ix, null,
                    new DecodeException(at + segment(names[ix]), "missing required member", type));
        }
        return java.util.Objects.requireNonNull(u);
    }

    /**
     * Checks a whole value eagerly: writes it and reads it back strictly, so the first member
     * anywhere inside it that did not bind (kept raw, or missing) fails.
     *
     * @param codec the value's codec
     * @param value the value
     * @param <T> its type
     * @throws DecodeException naming the type, the path inside the value and the problem
     */
    public static <T> void validate(JsonCodec<T> codec, T value) {
        codec.fromJson(codec.toJsonNode(value));
    }

    // ------------------------------------------------------------------------------------------
    // Entry points

    /**
     * @param codec a codec
     * @return what its errors name as the subject: the type's name
     */
    public static String subjectOf(JsonCodec<?> codec) {
        return codec instanceof NamedCodec<?> n ? n.typeName() : codec.getClass().getSimpleName();
    }

    /**
     * Reads one whole document: exactly one value, nothing after it.
     *
     * @param codec the codec
     * @param p a new parser
     * @param <T> the type
     * @return the value
     * @throws DecodeException naming the codec's type when the JSON does not bind
     * @throws ProtocolException when there is no value or more than one
     */
    public static <T> T readWhole(JsonCodec<T> codec, JsonParser p) {
        if (p.nextToken() == null) {
            throw new ProtocolException("Empty input", null, null);
        }
        T value;
        try {
            value = codec.read(p);
        } catch (DecodeException e) {
            throw new DecodeException(subjectOf(codec), e);
        } catch (StackOverflowError e) {
            throw new DecodeException(subjectOf(codec), new DecodeException("$", "nesting too deep", null));
        }
        if (p.nextToken() != null) {
            throw new ProtocolException("Trailing content after the JSON value", null, null);
        }
        return value;
    }

    // ------------------------------------------------------------------------------------------
    // Codecs of the JSON types, for list items and map values

    /** Strings. */
    public static final JsonCodec<String> STRING = new NamedCodec<>("String") {
        @Override
        public String read(JsonParser p) {
            return readString(p);
        }

        @Override
        public void write(String value, JsonGenerator g) {
            g.writeString(value);
        }
    };

    /** 64-bit integers. */
    public static final JsonCodec<Long> LONG = new NamedCodec<>("Long") {
        @Override
        public Long read(JsonParser p) {
            return readLong(p);
        }

        @Override
        public void write(Long value, JsonGenerator g) {
            g.writeNumber(value.longValue());
        }
    };

    /** Numbers. */
    public static final JsonCodec<Double> DOUBLE = new NamedCodec<>("Double") {
        @Override
        public Double read(JsonParser p) {
            return readDouble(p);
        }

        @Override
        public void write(Double value, JsonGenerator g) {
            g.writeNumber(value.doubleValue());
        }
    };

    /** Booleans. */
    public static final JsonCodec<Boolean> BOOLEAN = new NamedCodec<>("Boolean") {
        @Override
        public Boolean read(JsonParser p) {
            return readBoolean(p);
        }

        @Override
        public void write(Boolean value, JsonGenerator g) {
            g.writeBoolean(value);
        }
    };

    /** Any JSON, as a tree ({@code null} is a {@code NullNode}). */
    public static final JsonCodec<JsonNode> TREE = new NamedCodec<>("JsonNode") {
        @Override
        public JsonNode read(JsonParser p) {
            return readTree(p);
        }

        @Override
        public void write(JsonNode value, JsonGenerator g) {
            writeTree(g, value);
        }
    };

    /** Request ids (a string or an integer). */
    public static final JsonCodec<RequestId> REQUEST_ID = new NamedCodec<>("RequestId") {
        @Override
        public RequestId read(JsonParser p) {
            return readRequestId(p);
        }

        @Override
        public void write(RequestId value, JsonGenerator g) {
            writeRequestId(g, value);
        }
    };

    /**
     * @param item the items' codec
     * @param <T> the item type
     * @return a codec of lists
     */
    public static <T> JsonCodec<List<T>> listOf(JsonCodec<T> item) {
        return new NamedCodec<>("List<" + subjectOf(item) + ">") {
            @Override
            public List<T> read(JsonParser p) {
                return readList(p, item);
            }

            @Override
            public void write(List<T> value, JsonGenerator g) {
                writeList(g, value, item);
            }
        };
    }

    /**
     * @param value the values' codec
     * @param nullableValues whether values may be null
     * @param <T> the value type
     * @return a codec of maps
     */
    public static <T> JsonCodec<Map<String, @Nullable T>> mapOf(JsonCodec<T> value, boolean nullableValues) {
        return new NamedCodec<>("Map<String, " + subjectOf(value) + ">") {
            @Override
            public Map<String, @Nullable T> read(JsonParser p) {
                return readMap(p, value, nullableValues);
            }

            @Override
            public void write(Map<String, @Nullable T> m, JsonGenerator g) {
                writeMap(g, m, value);
            }
        };
    }

    // ------------------------------------------------------------------------------------------
    // toString

    /**
     * Appends {@code name=value} to a {@code toString}, with a separator after the first.
     *
     * @param b the builder, ending with {@code [} or a previous member
     * @param name the member's Java name
     * @param value its value
     */
    public static void field(StringBuilder b, String name, @Nullable Object value) {
        if (b.charAt(b.length() - 1) != '[') {
            b.append(", ");
        }
        b.append(name).append('=').append(value);
    }
}
