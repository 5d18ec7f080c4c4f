package dev.codex4j.protocol.methods;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.ProtocolException;
import dev.codex4j.protocol.RequestId;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed views of JSON-RPC payloads: server notifications and requests bound to their generated
 * records, client params encoded, and results bound to the type their method declares.
 *
 * <p>{@link #notification} and {@link #serverRequest} never throw: a method this version does not
 * know, or params that do not bind, give the {@code Unknown} variant with the raw JSON and the
 * reason, so that a reader loop is never stopped by a newer server. Binding is a string switch on
 * the method name; Jackson caches each type's deserializer after its first use.
 *
 * <pre>{@code
 * switch (ProtocolCodec.decode(line)) {
 *     case JsonRpcMessage.Notification n -> handle(TypedCodec.notification(n));
 *     case JsonRpcMessage.Request r -> answer(TypedCodec.serverRequest(r));
 *     default -> { }
 * }
 * JsonNode params = TypedCodec.params(new TurnInterruptParams(threadId, turnId));
 * TurnInterruptResponse r = TypedCodec.result(ClientMethods.TURN_INTERRUPT, response.result());
 * }</pre>
 */
public final class TypedCodec {
    private static final JsonMapper MAPPER = ProtocolCodec.mapper();

    private TypedCodec() {}

    /**
     * Binds a notification's params to the record of its method.
     *
     * @param n a notification from the server
     * @return the typed notification, or {@link ServerNotification.Unknown} (never throws)
     */
    public static ServerNotification notification(JsonRpcMessage.Notification n) {
        try {
            ServerNotification typed = Dispatch.notification(n.method(), n.params(), MAPPER);
            return typed != null ? typed
                    : new ServerNotification.Unknown(n.method(), n.params(), "method not in the schema");
        } catch (RuntimeException | StackOverflowError e) {
            return new ServerNotification.Unknown(n.method(), n.params(), "params do not bind: " + problem(e));
        }
    }

    /**
     * Binds a server request's params to the record of its method.
     *
     * @param r a request from the server
     * @return the typed request, or {@link ServerRequest.Unknown} (never throws)
     */
    public static ServerRequest serverRequest(JsonRpcMessage.Request r) {
        try {
            ServerRequest typed = Dispatch.serverRequest(r.id(), r.method(), r.params(), MAPPER);
            return typed != null ? typed
                    : new ServerRequest.Unknown(r.id(), r.method(), r.params(), "method not in the schema");
        } catch (RuntimeException | StackOverflowError e) {
            return new ServerRequest.Unknown(r.id(), r.method(), r.params(), "params do not bind: " + problem(e));
        }
    }

    /**
     * Encodes params (or a server request's result) as JSON; absent optional members are omitted.
     *
     * @param params the params record, or {@code null} for a method without params
     * @param <P> the params type
     * @return the JSON object ({@code {}} for {@code null})
     */
    public static <P> JsonNode params(@Nullable P params) {
        if (params == null) {
            return ProtocolCodec.emptyObject();
        }
        return MAPPER.valueToTree(params);
    }

    /**
     * A client request ready for {@link ProtocolCodec#encode}.
     *
     * @param id the request id
     * @param method the method
     * @param params its params, or {@code null} when it takes none
     * @param <P> the params type
     * @return the request
     */
    public static <P> JsonRpcMessage.Request request(RequestId id, ClientMethod<P, ?> method, @Nullable P params) {
        return new JsonRpcMessage.Request(id, method.name(), params(params));
    }

    /**
     * Binds the result of a client request.
     *
     * @param method the method that was called
     * @param result the response's result
     * @param <R> the result type
     * @return the typed result
     * @throws ProtocolException naming the method and the problem when the result does not bind
     */
    public static <R> R result(ClientMethod<?, R> method, JsonNode result) {
        return bind(method.name(), "result", method.resultType(), result);
    }

    /**
     * Binds the params of a client request (the server side, e.g. a test fake).
     *
     * @param method the method
     * @param params the request's params
     * @param <P> the params type
     * @return the typed params ({@code null} for a method without params)
     * @throws ProtocolException naming the method and the problem when the params do not bind
     */
    public static <P> @Nullable P clientParams(ClientMethod<P, ?> method, JsonNode params) {
        if (method.paramsType() == Void.class) {
            return null;
        }
        return bind(method.name(), "params", method.paramsType(), params);
    }

    /**
     * Binds the result a client sent back for a server request (the server side, e.g. a test fake).
     *
     * @param method the server request's method
     * @param result the client's result
     * @param <R> the result type
     * @return the typed result
     * @throws ProtocolException naming the method and the problem when the result does not bind
     */
    public static <R> R result(ServerRequestMethod<?, R> method, JsonNode result) {
        return bind(method.name(), "result", method.resultType(), result);
    }

    private static <T> T bind(String method, String what, Class<T> type, JsonNode json) {
        T value;
        try {
            value = MAPPER.treeToValue(json, type);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ProtocolException(method + " " + what + " does not bind to " + type.getSimpleName() + ": "
                    + problem(e), excerpt(json), e instanceof RuntimeException ? e : null);
        }
        if (value == null) {
            throw new ProtocolException(method + " " + what + " is null, expected " + type.getSimpleName(),
                    excerpt(json), null);
        }
        return value;
    }

    private static String excerpt(JsonNode json) {
        // Only the start is kept by ProtocolException; do not serialize a megabyte to keep 256 chars.
        String s = json.isContainer() && json.size() > 64 ? json.getNodeType() + " of " + json.size() + " members"
                : json.toString();
        return s;
    }

    private static String problem(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "nesting too deep";
        }
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
