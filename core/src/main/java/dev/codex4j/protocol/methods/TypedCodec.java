package dev.codex4j.protocol.methods;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.DecodeException;
import dev.codex4j.protocol.JsonCodec;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.ProtocolException;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.internal.Codecs;
import dev.codex4j.protocol.internal.Json;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.databind.JsonNode;

/**
 * Typed views of JSON-RPC payloads: server notifications and requests bound to their generated
 * types, client params encoded, and results bound to the type their method declares. Binding is
 * strict (see {@link DecodeException}): a member of the wrong JSON type or a missing required
 * member is never coerced into a value.
 *
 * <p>{@link #notification(JsonRpcMessage.Notification)} and
 * {@link #serverRequest(JsonRpcMessage.Request)} never throw: a method this version does not know,
 * or params that do not bind, give the {@code Unknown} variant with the raw JSON and the reason
 * (with the JSON path of the problem), so that a reader loop is never stopped by a newer server.
 * {@link #notification(byte[], int, int)} binds a whole line from its UTF-8 bytes without building
 * a tree first: the fast path for a turn's consumer. Binding is a string switch on the method name
 * into generated streaming readers; there is no reflection per call.
 *
 * <pre>{@code
 * switch (ProtocolCodec.decode(line)) {
 *     case JsonRpcMessage.Notification n -> handle(TypedCodec.notification(n));
 *     case JsonRpcMessage.Request r -> answer(TypedCodec.serverRequest(r));
 *     default -> { }
 * }
 * ServerNotification fast = TypedCodec.notification(bytes, 0, bytes.length);
 * JsonNode params = TypedCodec.params(TurnInterruptParams.builder().threadId(t).turnId(u).build());
 * TurnInterruptResponse r = TypedCodec.result(ClientMethods.TURN_INTERRUPT, response.result());
 * }</pre>
 */
public final class TypedCodec {
    private TypedCodec() {}

    /**
     * Binds a notification's params to the type of its method.
     *
     * @param n a notification from the server
     * @return the typed notification, or {@link ServerNotification.Unknown} (never throws)
     */
    public static ServerNotification notification(JsonRpcMessage.Notification n) {
        try (JsonParser p = n.params().traverse(ObjectReadContext.empty())) {
            p.nextToken();
            ServerNotification typed = Dispatch.notification(n.method(), p);
            return typed != null ? typed
                    : new ServerNotification.Unknown(n.method(), n.params(), "method not in the schema");
        } catch (DecodeException e) {
            return new ServerNotification.Unknown(n.method(), n.params(),
                    "params do not bind: " + e.under("$.params").getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return new ServerNotification.Unknown(n.method(), n.params(), "params do not bind: " + problem(e));
        }
    }

    /**
     * Binds a whole notification line, read from its UTF-8 bytes, without building a tree: the
     * members before and after {@code params} ({@code method}, {@code emittedAtMs}, ...) are read or
     * skipped by the streaming parser and {@code params} is bound as it is parsed. Anything unusual
     * (params before the method, a repeated member, a binding failure) takes the tree path, so the
     * result is always that of {@code notification(ProtocolCodec.decode(line))}.
     *
     * @param line the bytes holding the line (without its newline)
     * @param offset where the line starts
     * @param length its length in bytes
     * @return the typed notification, or {@link ServerNotification.Unknown} when the method is not
     *     in the schema or the params do not bind
     * @throws ProtocolException when the line is not JSON or not a notification
     */
    public static ServerNotification notification(byte[] line, int offset, int length) {
        return notificationLine(null, line, offset, length);
    }

    /**
     * {@link #notification(byte[], int, int)} for a line whose method the caller already knows (for
     * example from {@code RoutingKeys.read}): {@code params} binds as it is parsed even when it comes
     * before {@code method}. If the line's own method differs, the line's is used.
     *
     * @param method the line's method
     * @param line the bytes holding the line (without its newline)
     * @param offset where the line starts
     * @param length its length in bytes
     * @return the typed notification, or {@link ServerNotification.Unknown}
     * @throws ProtocolException when the line is not JSON or not a notification
     */
    public static ServerNotification notification(String method, byte[] line, int offset, int length) {
        return notificationLine(Objects.requireNonNull(method, "method"), line, offset, length);
    }

    private static ServerNotification notificationLine(@Nullable String method, byte[] line, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, line.length);
        try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), line, offset, length)) {
            ServerNotification typed = (ServerNotification) fastLine(p, method, false);
            if (typed != null) {
                return typed;
            }
        } catch (JacksonException | DecodeException | StackOverflowError e) {
            // The tree path below decides, and says why.
        }
        JsonRpcMessage m = ProtocolCodec.decode(new String(line, offset, length, UTF_8));
        if (m instanceof JsonRpcMessage.Notification n) {
            return notification(n);
        }
        throw new ProtocolException("Not a notification but a " + kind(m), new String(line, offset, length, UTF_8),
                null);
    }

    /**
     * Binds a server request's params to the type of its method.
     *
     * @param r a request from the server
     * @return the typed request, or {@link ServerRequest.Unknown} (never throws)
     */
    public static ServerRequest serverRequest(JsonRpcMessage.Request r) {
        try (JsonParser p = r.params().traverse(ObjectReadContext.empty())) {
            p.nextToken();
            ServerRequest typed = Dispatch.serverRequest(r.id(), r.method(), p);
            return typed != null ? typed
                    : new ServerRequest.Unknown(r.id(), r.method(), r.params(), "method not in the schema");
        } catch (DecodeException e) {
            return new ServerRequest.Unknown(r.id(), r.method(), r.params(),
                    "params do not bind: " + e.under("$.params").getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return new ServerRequest.Unknown(r.id(), r.method(), r.params(), "params do not bind: " + problem(e));
        }
    }

    /**
     * Binds a whole server request line from its UTF-8 bytes without building a tree, like
     * {@link #notification(byte[], int, int)}.
     *
     * @param line the bytes holding the line (without its newline)
     * @param offset where the line starts
     * @param length its length in bytes
     * @return the typed request, or {@link ServerRequest.Unknown}
     * @throws ProtocolException when the line is not JSON or not a request
     */
    public static ServerRequest serverRequest(byte[] line, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, line.length);
        try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), line, offset, length)) {
            ServerRequest typed = (ServerRequest) fastLine(p, null, true);
            if (typed != null) {
                return typed;
            }
        } catch (JacksonException | DecodeException | StackOverflowError e) {
            // The tree path below decides, and says why.
        }
        JsonRpcMessage m = ProtocolCodec.decode(new String(line, offset, length, UTF_8));
        if (m instanceof JsonRpcMessage.Request r) {
            return serverRequest(r);
        }
        throw new ProtocolException("Not a request but a " + kind(m), new String(line, offset, length, UTF_8), null);
    }

    /**
     * The streaming path: the typed message, or null for anything that needs the tree path.
     * Accepts exactly what {@link ProtocolCodec#decode} accepts for the plain shape: one object,
     * {@code method} a string, {@code params} once, {@code id} absent or null for a notification
     * and a string or integer for a request, nothing after the object.
     */
    private static @Nullable Object fastLine(JsonParser p, @Nullable String knownMethod, boolean request) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String method = null;
        RequestId id = null;
        Object typed = null;
        boolean params = false;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "method" -> {
                    if (method != null || t != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    method = p.getString();
                    if (knownMethod != null && !knownMethod.equals(method)) {
                        return null;
                    }
                }
                case "params" -> {
                    String m = method != null ? method : knownMethod;
                    if (params || m == null || t != JsonToken.START_OBJECT || (request && id == null)) {
                        return null;
                    }
                    params = true;
                    typed = request ? Dispatch.serverRequest(id, m, p) : Dispatch.notification(m, p);
                    if (typed == null) {
                        return null;
                    }
                }
                case "id" -> {
                    if (!request) {
                        if (t != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    } else if (id != null || (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT)
                            || (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)) {
                        return null;
                    } else {
                        id = t == JsonToken.VALUE_STRING ? RequestId.of(p.getString()) : RequestId.of(p.getLongValue());
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (method == null || typed == null || p.nextToken() != null) {
            return null;
        }
        return typed;
    }

    private static String kind(JsonRpcMessage m) {
        return switch (m) {
            case JsonRpcMessage.Request r -> "request";
            case JsonRpcMessage.Notification n -> "notification";
            case JsonRpcMessage.Response r -> "response";
            case JsonRpcMessage.ErrorResponse e -> "error response";
        };
    }

    /**
     * Encodes params (or a server request's result) as JSON; absent members are omitted, members set
     * to null are written as null, and a value that was read writes its members in their original order.
     * A value that is not a protocol type (a {@code Map}, a record of your own) is written by
     * {@link ProtocolCodec#mapper()}.
     *
     * @param params the params value, or {@code null} for a method without params
     * @param <P> the params type
     * @return the JSON object ({@code {}} for {@code null})
     */
    @SuppressWarnings("unchecked")
    public static <P> JsonNode params(@Nullable P params) {
        if (params == null) {
            return ProtocolCodec.emptyObject();
        }
        if (!Codecs.has(params.getClass())) {
            return ProtocolCodec.mapper().valueToTree(params);
        }
        return ((JsonCodec<P>) Codecs.of(params.getClass())).toJsonNode(params);
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
     * Binds the result of a client request, strictly.
     *
     * @param method the method that was called
     * @param result the response's result
     * @param <R> the result type
     * @return the typed result
     * @throws DecodeException naming the method and the JSON path (from {@code $.result}) when it does not bind
     */
    public static <R> R result(ClientMethod<?, R> method, JsonNode result) {
        return bind(method.name() + " result", "$.result", method.resultType(), result);
    }

    /**
     * Binds the result of a client request from the whole reply line's UTF-8 bytes, strictly, without
     * building a tree: {@code result} is bound as it is parsed and the other members ({@code id},
     * {@code jsonrpc}) are skipped. Anything unusual (a repeated member, an {@code error} member, a
     * binding failure, bytes after the object) takes the tree path, so the outcome is always that of
     * {@code result(method, ((JsonRpcMessage.Response) ProtocolCodec.decode(line)).result())}.
     *
     * <pre>{@code
     * Inbound reply = connection.callForReply("thread/read", params, timeout);
     * ThreadReadResponse r = TypedCodec.result(ClientMethods.THREAD_READ, reply.bytes(), 0, reply.size());
     * }</pre>
     *
     * @param method the method that was called
     * @param line the bytes holding the reply line (without its newline)
     * @param offset where the line starts
     * @param length its length in bytes
     * @param <R> the result type
     * @return the typed result
     * @throws DecodeException naming the method and the JSON path (from {@code $.result}) when it does not bind
     * @throws ProtocolException when the line is not JSON or not a (successful) response
     */
    public static <R> R result(ClientMethod<?, R> method, byte[] line, int offset, int length) {
        Objects.requireNonNull(method, "method");
        Objects.checkFromIndexSize(offset, length, line.length);
        try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), line, offset, length)) {
            Object[] bound = fastResult(p, method.resultType());
            if (bound != null) {
                @SuppressWarnings("unchecked")
                R r = (R) bound[0];
                return r;
            }
        } catch (JacksonException | DecodeException | StackOverflowError e) {
            // The tree path below decides, and says why.
        }
        JsonRpcMessage m = ProtocolCodec.decode(line, offset, length);
        if (m instanceof JsonRpcMessage.Response r) {
            return result(method, r.result());
        }
        throw new ProtocolException("Not a response but a " + kind(m), new String(line, offset, length, UTF_8), null);
    }

    /**
     * The streaming path of {@link #result(ClientMethod, byte[], int, int)}: a one-element array
     * holding the bound result (which may be null), or null for anything that needs the tree path.
     */
    private static Object @Nullable [] fastResult(JsonParser p, Class<?> type) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Object[] bound = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "result" -> {
                    if (bound != null || t == null) {
                        return null;
                    }
                    bound = new Object[] {Codecs.of(type).read(p)};
                }
                case "error" -> {
                    return null;
                }
                default -> p.skipChildren();
            }
        }
        if (bound == null || p.nextToken() != null) {
            return null;
        }
        return bound;
    }

    /**
     * Binds the params of a client request (the server side, e.g. a test fake), strictly.
     *
     * @param method the method
     * @param params the request's params
     * @param <P> the params type
     * @return the typed params ({@code null} for a method without params)
     * @throws DecodeException naming the method and the JSON path (from {@code $.params}) when they do not bind
     */
    public static <P> @Nullable P clientParams(ClientMethod<P, ?> method, JsonNode params) {
        if (method.paramsType() == Void.class) {
            return null;
        }
        return bind(method.name() + " params", "$.params", method.paramsType(), params);
    }

    /**
     * Binds the result a client sent back for a server request (the server side, e.g. a test fake).
     *
     * @param method the server request's method
     * @param result the client's result
     * @param <R> the result type
     * @return the typed result
     * @throws DecodeException naming the method and the JSON path (from {@code $.result}) when it does not bind
     */
    public static <R> R result(ServerRequestMethod<?, R> method, JsonNode result) {
        return bind(method.name() + " result", "$.result", method.resultType(), result);
    }

    private static <T> T bind(String subject, String root, Class<T> type, JsonNode json) {
        JsonCodec<T> codec = Codecs.of(type);
        try (JsonParser p = json.traverse(ObjectReadContext.empty())) {
            p.nextToken();
            return codec.read(p);
        } catch (DecodeException e) {
            throw new DecodeException(subject, e.under(root));
        } catch (StackOverflowError e) {
            throw new DecodeException(subject, new DecodeException(root, "nesting too deep", null));
        } catch (RuntimeException e) {
            throw new ProtocolException(subject + " does not bind to " + type.getSimpleName() + ": " + problem(e),
                    excerpt(json), e);
        }
    }

    private static String excerpt(JsonNode json) {
        // Only the start is kept by ProtocolException; do not serialize a megabyte to keep 256 chars.
        return json.isContainer() && json.size() > 64 ? json.getNodeType() + " of " + json.size() + " members"
                : json.toString();
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
