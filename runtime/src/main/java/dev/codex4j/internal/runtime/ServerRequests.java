package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.RpcError;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Requests the server sends to the client (approvals, tool calls, questions for the user): each
 * is answered by its handler on a virtual thread of its own ({@code codex4j-server-request}), so a
 * handler that waits for a person delays nobody, and the reply always carries the request's id: a
 * result, or an error ({@link ServerRequestException}'s code, else -32603). Never an empty
 * result for a request nobody handled: the default handler answers -32601. A handler that throws
 * is logged at WARNING with the request's method (rate-limited). The dispatcher hands each request
 * over as its line ({@link Inbound}: bytes and routing keys); the handler decodes it on its own
 * thread, so a line that the scanner took for a request but that does not decode is answered
 * with -32603 by the handler's failure, never dropped.
 *
 * <p>Owns the set of handler threads running now (each adds and removes itself), so that the
 * connection's end can interrupt them.
 */
final class ServerRequests {
    private static final System.Logger LOG = System.getLogger(ServerRequests.class.getName());

    private final LineWriter writer;
    private final RuntimeThreads threads;
    private final Closure closure;
    private final RuntimeStats stats;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARNING, 20, TimeUnit.MINUTES.toNanos(1));
    private final RateLimitedLog badRequests = new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.MINUTES.toNanos(1));

    ServerRequests(LineWriter writer, RuntimeThreads threads, Closure closure, RuntimeStats stats) {
        this.writer = writer;
        this.threads = threads;
        this.closure = closure;
        this.stats = stats;
    }

    /**
     * Dispatcher: starts the request's handler. Nothing of the line is decoded here: the handler
     * binds it on its own thread (the dispatcher builds no tree).
     */
    void dispatch(Inbound in, ServerRequestHandler handler) {
        RequestId id = in.id();
        if (id == null) {
            badRequests.log(() -> "Skipping a server request without an id: " + in);
            return;
        }
        stats.serverRequests.increment();
        threads.startVirtual("codex4j-server-request", () -> answer(in, id, handler));
    }

    private void answer(Inbound request, RequestId id, ServerRequestHandler handler) {
        Thread me = Thread.currentThread();
        running.add(me);
        String method = String.valueOf(request.method());
        JsonRpcMessage reply;
        try {
            JsonNode result = handler.handle(request);
            reply = result != null ? new JsonRpcMessage.Response(id, result)
                    : error(id, RpcError.INTERNAL_ERROR, "the handler of " + method + " returned no result");
        } catch (ServerRequestException e) {
            reply = error(id, e.code(), String.valueOf(e.getMessage()));
            if (e.code() != RpcError.METHOD_NOT_FOUND) {
                LOG.log(Level.DEBUG, () -> "The handler of " + method + " answered with error " + e.code()
                        + ": " + e.getMessage());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stats.handlerFailures.increment();
            if (!closure.isClosed()) {
                failures.log(() -> "The handler of server request " + method + " (id " + id
                        + ") failed; the server gets error " + RpcError.INTERNAL_ERROR + ": " + e);
            }
            reply = error(id, RpcError.INTERNAL_ERROR, e.getMessage() != null ? e.getMessage() : e.toString());
        } finally {
            running.remove(me);
        }
        if (closure.isClosed()) {
            return;
        }
        try {
            writer.write(ProtocolCodec.encode(reply));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Could not answer " + method + " " + id, e);
        }
    }

    /** The connection's end: interrupts every running handler but the calling thread. */
    void interruptAll(Thread except) {
        for (Thread t : running) {
            if (t != except) {
                t.interrupt();
            }
        }
    }

    private static JsonRpcMessage error(RequestId id, int code, String message) {
        return new JsonRpcMessage.ErrorResponse(id, new RpcError(code, message, null));
    }
}
