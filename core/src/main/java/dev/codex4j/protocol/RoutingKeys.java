package dev.codex4j.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.databind.JsonNode;

/**
 * What a dispatcher needs to route a line, and nothing more: the kind of message, its id, method,
 * thread id and turn id.
 *
 * <p>{@link #read(String)} gets them with a streaming parser, without building a tree or binding
 * the payload: it skips every value it does not need. Thread ids live in {@code params.threadId}
 * or {@code params.thread.id}; turn ids in {@code params.turnId} or {@code params.turn.id}; the
 * flat member wins when both are present. {@link #of(JsonRpcMessage)} derives the same keys from a
 * decoded message; the two always agree on well-formed input.
 *
 * <pre>{@code
 * RoutingKeys keys = RoutingKeys.read(line);
 * if (keys.kind() == RoutingKeys.Kind.NOTIFICATION && keys.turnId() != null) { ... }
 * }</pre>
 *
 * @param kind the kind of message
 * @param id the request id (requests and responses), or null
 * @param method the method (requests and notifications), or null
 * @param threadId the thread the message belongs to, or null
 * @param turnId the turn the message belongs to, or null
 */
public record RoutingKeys(
        Kind kind,
        @Nullable RequestId id,
        @Nullable String method,
        @Nullable String threadId,
        @Nullable String turnId) {

    /**
     * The mapper's factory (same limits), used directly: a parser from the mapper carries a fresh
     * deserialization context per line, which cost more than reading the keys themselves.
     */
    private static final TokenStreamFactory FACTORY = ProtocolCodec.mapper().tokenStreamFactory();

    /** The four shapes of JSON-RPC message. */
    public enum Kind {
        /** Has {@code method} and {@code id}: for a client, a server request (approval). */
        REQUEST,
        /** Has {@code method}, no {@code id}. */
        NOTIFICATION,
        /** Has {@code id} and {@code result}. */
        RESPONSE,
        /** Has {@code error}. */
        ERROR
    }

    /**
     * Reads the routing keys of one line with a streaming parser.
     *
     * @param line one JSON object
     * @return the keys
     * @throws ProtocolException when the line is not a JSON-RPC message
     */
    public static RoutingKeys read(String line) {
        // Jackson's byte parser scans a line about a third faster than its char parser, even with
        // the encoding. Encoding turns a lone surrogate into '?', so whenever a key we return holds
        // a '?' (or the line is rejected, for the exact same message) the chars are read instead.
        RoutingKeys keys;
        try {
            keys = read(FACTORY.createParser(ObjectReadContext.empty(), line.getBytes(UTF_8)), line);
        } catch (ProtocolException e) {
            return read(FACTORY.createParser(ObjectReadContext.empty(), line), line);
        }
        if (mayHoldReplacement(keys.method) || mayHoldReplacement(keys.threadId)
                || mayHoldReplacement(keys.turnId)
                || (keys.id instanceof RequestId.Str s && mayHoldReplacement(s.value()))) {
            return read(FACTORY.createParser(ObjectReadContext.empty(), line), line);
        }
        return keys;
    }

    private static boolean mayHoldReplacement(@Nullable String s) {
        return s != null && s.indexOf('?') >= 0;
    }

    private static RoutingKeys read(JsonParser parser, String line) {
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolException("Not a JSON object", line, null);
            }
            RequestId id = null;
            String method = null;
            boolean methodSeen = false;
            boolean hasResult = false;
            boolean hasError = false;
            Ids ids = new Ids();
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> id = readId(p, t, line);
                    case "method" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new ProtocolException("\"method\" is not a string", line, null);
                        }
                        method = p.getString();
                        methodSeen = true;
                    }
                    case "params" -> {
                        if (t == JsonToken.START_OBJECT) {
                            readParams(p, ids);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "result" -> {
                        hasResult = true;
                        p.skipChildren();
                    }
                    case "error" -> {
                        hasError = t != JsonToken.VALUE_NULL;
                        p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new ProtocolException("Trailing content after the JSON object", line, null);
            }
            if (methodSeen) {
                Kind kind = id != null ? Kind.REQUEST : Kind.NOTIFICATION;
                return new RoutingKeys(kind, id, method, ids.threadId(), ids.turnId());
            }
            if (hasError) {
                return new RoutingKeys(Kind.ERROR, id, null, null, null);
            }
            if (id == null) {
                throw new ProtocolException("Neither \"method\" nor \"id\": not a JSON-RPC message", line, null);
            }
            if (!hasResult) {
                throw new ProtocolException("Response " + id + " has neither \"result\" nor \"error\"", line, null);
            }
            return new RoutingKeys(Kind.RESPONSE, id, null, null, null);
        } catch (JacksonException | StackOverflowError e) {
            throw new ProtocolException("Malformed JSON (" + ProtocolCodec.firstLine(e) + ")", line, null);
        }
    }

    /**
     * The routing keys of an already decoded message.
     *
     * @param message the message
     * @return the keys
     */
    public static RoutingKeys of(JsonRpcMessage message) {
        return switch (message) {
            case JsonRpcMessage.Request r -> new RoutingKeys(Kind.REQUEST, r.id(), r.method(),
                    threadId(r.params()), turnId(r.params()));
            case JsonRpcMessage.Notification n -> new RoutingKeys(Kind.NOTIFICATION, null, n.method(),
                    threadId(n.params()), turnId(n.params()));
            case JsonRpcMessage.Response r -> new RoutingKeys(Kind.RESPONSE, r.id(), null, null, null);
            case JsonRpcMessage.ErrorResponse e -> new RoutingKeys(Kind.ERROR, e.id(), null, null, null);
        };
    }

    private static @Nullable String threadId(JsonNode params) {
        return flatOrNested(params, "threadId", "thread");
    }

    private static @Nullable String turnId(JsonNode params) {
        return flatOrNested(params, "turnId", "turn");
    }

    private static @Nullable String flatOrNested(JsonNode params, String flat, String nested) {
        JsonNode f = params.get(flat);
        if (f != null && f.isString()) {
            return f.asString();
        }
        JsonNode n = params.get(nested);
        if (n != null && n.isObject()) {
            JsonNode id = n.get("id");
            if (id != null && id.isString()) {
                return id.asString();
            }
        }
        return null;
    }

    /** Thread and turn ids found in params; flat members win over nested ones. */
    private static final class Ids {
        @Nullable String threadFlat;
        @Nullable String threadNested;
        @Nullable String turnFlat;
        @Nullable String turnNested;

        @Nullable String threadId() {
            return threadFlat != null ? threadFlat : threadNested;
        }

        @Nullable String turnId() {
            return turnFlat != null ? turnFlat : turnNested;
        }
    }

    private static void readParams(JsonParser p, Ids ids) {
        String name;
        while ((name = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "threadId" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        ids.threadFlat = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
                case "turnId" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        ids.turnFlat = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
                case "thread" -> {
                    String id = t == JsonToken.START_OBJECT ? readNestedId(p) : skip(p);
                    if (id != null) {
                        ids.threadNested = id;
                    }
                }
                case "turn" -> {
                    String id = t == JsonToken.START_OBJECT ? readNestedId(p) : skip(p);
                    if (id != null) {
                        ids.turnNested = id;
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static @Nullable String skip(JsonParser p) {
        p.skipChildren();
        return null;
    }

    /** Reads {@code id} from the object just started, skipping everything else in it. */
    private static @Nullable String readNestedId(JsonParser p) {
        String id = null;
        String name;
        while ((name = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            if (name.equals("id") && t == JsonToken.VALUE_STRING) {
                id = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return id;
    }

    private static @Nullable RequestId readId(JsonParser p, JsonToken t, String line) {
        return switch (t) {
            case VALUE_STRING -> RequestId.of(p.getString());
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new ProtocolException("\"id\" is out of range", line, null);
                }
                yield RequestId.of(p.getLongValue());
            }
            case VALUE_NULL -> null;
            default -> throw new ProtocolException("\"id\" is neither an integer nor a string", line, null);
        };
    }
}
