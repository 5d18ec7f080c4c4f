package dev.codex4j.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.codex4j.errors.ProtocolException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts between JSON lines and {@link JsonRpcMessage}s. Thread-safe and stateless.
 *
 * <p>Decoding never throws anything but {@link ProtocolException}: a reader loop that catches it
 * can skip a bad line and go on. Encoding writes no {@code "jsonrpc"} member (the app-server
 * neither writes nor needs it) and always writes {@code params} for requests.
 *
 * <pre>{@code
 * JsonRpcMessage m = ProtocolCodec.decode("{\"id\":1,\"result\":{}}");
 * String line = ProtocolCodec.encode(new JsonRpcMessage.Request(RequestId.of(2), "thread/start",
 *         ProtocolCodec.emptyObject()));
 * }</pre>
 */
public final class ProtocolCodec {
    /** Deepest nesting accepted; deeper input is a {@link ProtocolException}, never a stack overflow. */
    public static final int MAX_NESTING_DEPTH = 1000;
    /** Longest string value accepted (the server accepts prompts up to 1 MiB characters). */
    public static final int MAX_STRING_LENGTH = 64 * 1024 * 1024;
    static { JacksonCompatibility.check(); } // before MAPPER: with an old Jackson its builder fails obscurely

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .build())
                    // Whatever was decoded must encode again: the envelope adds a few levels.
                    .streamWriteConstraints(StreamWriteConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH + 16)
                            .build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .changeDefaultPropertyInclusion(v -> JsonInclude.Value.construct(
                    JsonInclude.Include.NON_ABSENT, JsonInclude.Include.NON_ABSENT))
            .build();

    private ProtocolCodec() {}

    /**
     * The shared mapper: unknown properties ignored, absent optional values omitted on write,
     * nesting bounded. These lenient settings apply to classes of your own (such as the records of
     * structured output); the generated protocol types always bind strictly through their own
     * {@link JsonCodec}, also when this mapper reads them ({@code treeToValue(node, ThreadItem.class)}).
     *
     * @return the mapper
     */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** @return a new empty JSON object, for requests without parameters */
    public static ObjectNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Decodes one line.
     *
     * @param line one JSON object, without the trailing newline
     * @return the message
     * @throws ProtocolException when the line is not JSON, not an object, or not a JSON-RPC message
     */
    public static JsonRpcMessage decode(String line) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(line);
        } catch (JacksonException | StackOverflowError e) {
            throw new ProtocolException("Malformed JSON (" + firstLine(e) + ")", line, null);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new ProtocolException("Empty line", line, null);
        }
        if (!tree.isObject()) {
            throw new ProtocolException("Not a JSON object but " + tree.getNodeType(), line, null);
        }
        return fromTree(tree, line);
    }

    /**
     * Decodes one line given as UTF-8 bytes.
     *
     * @param line the bytes holding the line
     * @param offset where it starts
     * @param length its length, without the line terminator
     * @return the message
     * @throws ProtocolException when the bytes are not JSON, not an object, or not a JSON-RPC message
     */
    public static JsonRpcMessage decode(byte[] line, int offset, int length) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(line, offset, length);
        } catch (JacksonException | StackOverflowError e) {
            throw new ProtocolException("Malformed JSON (" + firstLine(e) + ")", text(line, offset, length), null);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new ProtocolException("Empty line", "", null);
        }
        if (!tree.isObject()) {
            throw new ProtocolException("Not a JSON object but " + tree.getNodeType(), text(line, offset, length), null);
        }
        return fromTree(tree, null);
    }

    /** The start of a line as text, for error messages (at most 4 KiB of it). */
    private static String text(byte[] line, int offset, int length) {
        return new String(line, offset, Math.min(length, 4096), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Interprets a parsed JSON object as a message.
     *
     * @param tree the object
     * @param line the source line, for error messages, or {@code null}
     * @return the message
     * @throws ProtocolException when the object is not a JSON-RPC message
     */
    public static JsonRpcMessage fromTree(JsonNode tree, @Nullable String line) {
        JsonNode method = tree.get("method");
        JsonNode idNode = tree.get("id");
        RequestId id = idNode == null || idNode.isNull() ? null : requestId(idNode, line);
        if (method != null) {
            if (!method.isString()) {
                throw new ProtocolException("\"method\" is not a string", line, null);
            }
            JsonNode params = tree.get("params");
            if (params == null || params.isNull()) {
                params = emptyObject();
            }
            if (id != null) {
                return new JsonRpcMessage.Request(id, method.asString(), params);
            }
            JsonNode emitted = tree.get("emittedAtMs");
            Long emittedAt = emitted != null && emitted.isIntegralNumber() ? emitted.asLong() : null;
            return new JsonRpcMessage.Notification(method.asString(), params, emittedAt);
        }
        JsonNode error = tree.get("error");
        if (error != null && !error.isNull()) {
            return new JsonRpcMessage.ErrorResponse(id, rpcError(error, line));
        }
        if (id == null) {
            throw new ProtocolException("Neither \"method\" nor \"id\": not a JSON-RPC message", line, null);
        }
        JsonNode result = tree.get("result");
        if (result == null) {
            throw new ProtocolException("Response " + id + " has neither \"result\" nor \"error\"", line, null);
        }
        return new JsonRpcMessage.Response(id, result);
    }

    /**
     * Encodes a message as one line (no trailing newline).
     *
     * @param message the message
     * @return the JSON line
     */
    public static String encode(JsonRpcMessage message) {
        return MAPPER.writeValueAsString(toTree(message));
    }

    /**
     * The JSON object for a message.
     *
     * @param message the message
     * @return a new object node
     */
    public static ObjectNode toTree(JsonRpcMessage message) {
        ObjectNode o = emptyObject();
        switch (message) {
            case JsonRpcMessage.Request r -> {
                putId(o, r.id());
                o.put("method", r.method());
                o.set("params", r.params());
            }
            case JsonRpcMessage.Notification n -> {
                o.put("method", n.method());
                if (!(n.params().isObject() && n.params().isEmpty())) {
                    o.set("params", n.params());
                }
                if (n.emittedAtMs() != null) {
                    o.put("emittedAtMs", n.emittedAtMs().longValue());
                }
            }
            case JsonRpcMessage.Response r -> {
                putId(o, r.id());
                o.set("result", r.result());
            }
            case JsonRpcMessage.ErrorResponse e -> {
                if (e.id() == null) {
                    o.putNull("id");
                } else {
                    putId(o, e.id());
                }
                ObjectNode err = o.putObject("error");
                err.put("code", e.error().code());
                err.put("message", e.error().message());
                if (e.error().data() != null) {
                    err.set("data", e.error().data());
                }
            }
        }
        return o;
    }

    /** @return the params object for a map of simple values, for ad-hoc requests */
    public static ObjectNode objectOf(Map<String, ?> members) {
        return MAPPER.valueToTree(members);
    }

    static RequestId requestId(JsonNode idNode, @Nullable String line) {
        if (idNode.isString()) {
            return RequestId.of(idNode.asString());
        }
        if (idNode.isIntegralNumber() && idNode.canConvertToLong()) {
            return RequestId.of(idNode.asLong());
        }
        throw new ProtocolException("\"id\" is neither an integer nor a string", line, null);
    }

    private static void putId(ObjectNode o, RequestId id) {
        switch (id) {
            case RequestId.Num n -> o.put("id", n.value());
            case RequestId.Str s -> o.put("id", s.value());
        }
    }

    private static RpcError rpcError(JsonNode error, @Nullable String line) {
        if (!error.isObject()) {
            throw new ProtocolException("\"error\" is not an object", line, null);
        }
        JsonNode code = error.get("code");
        if (code == null || !code.isIntegralNumber() || !code.canConvertToInt()) {
            throw new ProtocolException("\"error.code\" is not an integer", line, null);
        }
        JsonNode msg = error.get("message");
        JsonNode data = error.get("data");
        return new RpcError(code.asInt(), msg != null && msg.isString() ? msg.asString() : String.valueOf(msg),
                data == null || data.isNull() ? null : data);
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
