package dev.codex4j.internal.runtime;

import tools.jackson.databind.JsonNode;

/**
 * Answers a request the app-server sends to the client (an approval, a user-input question).
 * Each call runs on a virtual thread of its own, so a handler may block (wait for a human)
 * without delaying anything else.
 *
 * <p>The request comes as the dispatcher read it: the line's bytes and its routing keys (id,
 * method, thread and turn), with nothing decoded yet. The handler binds it, on its own thread,
 * from the bytes ({@code TypedCodec.serverRequest(request.bytes(), 0, request.size())}, a
 * streaming read) or as a tree ({@link Inbound#message()}).
 *
 * <p>The returned object becomes the reply's {@code result}. A {@link ServerRequestException}
 * becomes an error reply with its code; any other exception (or a {@code null} result) becomes an
 * error reply with code -32603 and the exception's message.
 *
 * <pre>{@code
 * connection.serverRequestHandler(request ->
 *         ProtocolCodec.objectOf(Map.of("decision", "accept")));
 * }</pre>
 */
@FunctionalInterface
public interface ServerRequestHandler {

    /**
     * @param request the server's request line (its {@link Inbound#kind()} is {@code REQUEST}, its
     *     {@link Inbound#id()} not null)
     * @return the result object of the reply
     * @throws Exception to send an error reply instead
     */
    JsonNode handle(Inbound request) throws Exception;
}
