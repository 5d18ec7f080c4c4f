package dev.codex4j.internal.runtime;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
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
 * is logged at WARNING with the request's method (rate-limited).
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

    /** Dispatcher: decodes the request and starts its handler. */
    void dispatch(Inbound in, ServerRequestHandler handler) {
        JsonRpcMessage.Request request;
        try {
            if (!(in.message() instanceof JsonRpcMessage.Request r)) {
                return;
            }
            request = r;
        } catch (ProtocolException e) {
            badRequests.log(() -> "Skipping a server request that does not decode: " + e.getMessage());
            return;
        }
        stats.serverRequests.increment();
        threads.startVirtual("codex4j-server-request", () -> answer(request, handler));
    }

    private void answer(JsonRpcMessage.Request request, ServerRequestHandler handler) {
        Thread me = Thread.currentThread();
        running.add(me);
        JsonRpcMessage reply;
        try {
            JsonNode result = handler.handle(request);
            reply = result != null ? new JsonRpcMessage.Response(request.id(), result)
                    : error(request, RpcError.INTERNAL_ERROR, "the handler of " + request.method() + " returned no result");
        } catch (ServerRequestException e) {
            reply = error(request, e.code(), String.valueOf(e.getMessage()));
            if (e.code() != RpcError.METHOD_NOT_FOUND) {
                LOG.log(Level.DEBUG, () -> "The handler of " + request.method() + " answered with error " + e.code()
                        + ": " + e.getMessage());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stats.handlerFailures.increment();
            if (!closure.isClosed()) {
                failures.log(() -> "The handler of server request " + request.method() + " (id " + request.id()
                        + ") failed; the server gets error " + RpcError.INTERNAL_ERROR + ": " + e);
            }
            reply = error(request, RpcError.INTERNAL_ERROR, e.getMessage() != null ? e.getMessage() : e.toString());
        } finally {
            running.remove(me);
        }
        if (closure.isClosed()) {
            return;
        }
        try {
            writer.write(ProtocolCodec.encode(reply));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Could not answer " + request.method() + " " + request.id(), e);
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

    private static JsonRpcMessage error(JsonRpcMessage.Request request, int code, String message) {
        return new JsonRpcMessage.ErrorResponse(request.id(), new RpcError(code, message, null));
    }
}
