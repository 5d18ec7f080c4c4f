package dev.codex4j.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.internal.LineScanner;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a dispatcher needs to route a line, and nothing more: the kind of message, its id, method,
 * thread id and turn id.
 *
 * <p>{@link #read(String)} gets them with a streaming parser, without building a tree or binding
 * the payload: it skips every value it does not need. Thread ids live in {@code params.threadId},
 * {@code params.thread.id} or (legacy approvals) {@code params.conversationId}; turn ids in
 * {@code params.turnId} or {@code params.turn.id}; the flat member wins when both are present. {@link #of(JsonRpcMessage)} derives the same keys from a
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
     * Reads the routing keys of one line with a streaming parser (see
     * {@link dev.codex4j.protocol.internal.LineScanner}, which the dispatcher uses on the raw bytes).
     *
     * @param line one JSON object
     * @return the keys
     * @throws ProtocolException when the line is not a JSON-RPC message
     */
    public static RoutingKeys read(String line) {
        // Jackson's byte parser scans a line about a third faster than its char parser, even with
        // the encoding. Encoding turns a lone surrogate into '?', so whenever a key we return holds
        // a '?' (or the line is rejected, for the exact same message) the chars are read instead.
        LineScanner s = new LineScanner();
        byte[] bytes = line.getBytes(UTF_8);
        try {
            s.scan(bytes, 0, bytes.length);
        } catch (ProtocolException e) {
            s.scan(line);
            return s.keys();
        }
        RoutingKeys keys = s.keys();
        if (mayHoldReplacement(keys.method) || mayHoldReplacement(keys.threadId)
                || mayHoldReplacement(keys.turnId)
                || (keys.id instanceof RequestId.Str str && mayHoldReplacement(str.value()))) {
            s.scan(line);
            return s.keys();
        }
        return keys;
    }

    /**
     * Reads the routing keys of one line given as UTF-8 bytes.
     *
     * @param line the bytes
     * @param offset where the line starts
     * @param length its length
     * @return the keys
     * @throws ProtocolException when the bytes are not a JSON-RPC message
     */
    public static RoutingKeys read(byte[] line, int offset, int length) {
        LineScanner s = new LineScanner();
        s.scan(line, offset, length);
        return s.keys();
    }

    private static boolean mayHoldReplacement(@Nullable String s) {
        return s != null && s.indexOf('?') >= 0;
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
        String id = flatOrNested(params, "threadId", "thread");
        if (id == null) {
            JsonNode c = params.get("conversationId");
            id = c != null && c.isString() ? c.asString() : null;
        }
        return id;
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
}
