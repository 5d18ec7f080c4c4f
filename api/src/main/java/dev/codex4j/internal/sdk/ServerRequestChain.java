package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.runtime.ServerRequestException;
import dev.codex4j.internal.runtime.ServerRequestHandler;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.protocol.TypedCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * How one server request is answered: a chain of steps (a thread's tool, then the client's
 * {@link ApprovalInbox}, then an {@link ApprovalHandler}), each of which answers the request or
 * passes it on, with the {@link Observer} wrapped once around the whole chain. Whatever answers
 * (a tool, the inbox, a handler, the default refusal, a timeout, a cancellation) or ends it without
 * an answer (the client closing interrupts the request's thread), the request is reported exactly
 * once: one received/answered pair to the listener and one JFR event.
 *
 * <p>Runs on the request's own virtual thread ({@code codex4j-server-request}); the runtime picks
 * the chain by the request's thread id (a turn's, or the client's). The request's span is
 * {@linkplain Observer.ServerRequestSpan#enter() current} on that thread while the chain runs (an
 * approval handler's spans are its children); a tool's thread enters its tool call's span
 * ({@link ThreadTools}).
 */
public final class ServerRequestChain implements ServerRequestHandler {
    /** The decision reported for a request whose thread was interrupted (the client closed): nothing is sent. */
    public static final String INTERRUPTED = "interrupted";

    /** One server request as the steps see it: the JSON-RPC request and its typed form. */
    record Exchange(Inbound raw, ApprovalRequest request) {}

    /** One step: answers the request, or passes it on with {@link Chain#proceed()}. */
    @FunctionalInterface
    interface Step {
        JsonNode answer(Exchange x, Chain next) throws Exception;
    }

    /** The rest of the chain, from one step on. */
    interface Chain {
        JsonNode proceed() throws Exception;
    }

    private final Observer observer;
    private final List<Step> steps;

    private ServerRequestChain(Observer observer, List<Step> steps) {
        this.observer = observer;
        this.steps = List.copyOf(steps);
    }

    /**
     * The chain for one turn (or, with a null {@code turnHandler} and no tools, the client's).
     *
     * @param session the client's session (observer, inbox, client handler, interrupts)
     * @param turnHandler the turn's own handler, or null
     * @param tools the thread's tools
     * @param reservation the reservation of the turn that takes the request (null for the client's chain)
     * @return the handler the runtime calls
     */
    public static ServerRequestChain of(Session session, @Nullable ApprovalHandler turnHandler, ThreadTools tools,
            Supplier<@Nullable Reservation> reservation) {
        List<Step> steps = new ArrayList<>(3);
        Observer observer = session.observer();
        if (!tools.isEmpty()) {
            steps.add((x, next) -> x.request() instanceof ApprovalRequest.ToolCall call
                    ? callTool(observer, tools, call) : next.proceed());
        }
        ApprovalInbox inbox = session.options().inbox();
        if (turnHandler == null && inbox != null) {
            steps.add((x, next) -> InboxWait.answer(session, inbox, Objects.requireNonNull(x.raw().id()), x.request(), reservation.get()));
        }
        ApprovalHandler handler = turnHandler != null ? turnHandler : session.options().approvalHandler();
        steps.add((x, next) -> ApprovalReplies.answer(x.request(), handler, session::interruptForApproval));
        return new ServerRequestChain(observer, steps);
    }

    @Override
    public JsonNode handle(Inbound request) throws Exception {
        // bound here, on the request's own virtual thread, from the line's bytes (the dispatcher builds no tree)
        ApprovalRequest typed = SdkAccess.get().approvalRequest(TypedCodec.serverRequest(request.bytes(), 0,
                request.size()));
        Observer.ServerRequestSpan span = observer.serverRequestReceived(typed);
        String decision = "error " + RpcError.INTERNAL_ERROR;
        try (Observer.Scope current = span.enter()) { // a tracing plugin's span is current while the chain runs
            JsonNode result = proceed(new Exchange(request, typed), 0);
            decision = decisionOf(typed, result);
            return result;
        } catch (ServerRequestException e) {
            decision = "error " + e.code();
            throw e;
        } catch (InterruptedException e) {
            decision = INTERRUPTED;
            throw e;
        } finally {
            span.answered(decision);
        }
    }

    private JsonNode proceed(Exchange x, int index) throws Exception {
        return steps.get(index).answer(x, () -> proceed(x, index + 1));
    }

    private static JsonNode callTool(Observer observer, ThreadTools tools, ApprovalRequest.ToolCall call)
            throws InterruptedException {
        long start = observer.toolCallStarted(call);
        boolean success = false;
        try {
            JsonNode result = tools.call(observer, call, call.params());
            success = result.path("success").asBoolean(false);
            return result;
        } finally {
            observer.toolCallEnded(start, call, success);
        }
    }

    /**
     * The decision a reply carries: {@code {"decision":"accept"}}, {@code {"decision":{"acceptWith...":..}}};
     * a tool call's {@code success} or {@code failure}; else {@code answered}.
     */
    static String decisionOf(ApprovalRequest request, JsonNode result) {
        if (request instanceof ApprovalRequest.ToolCall) {
            return result.path("success").asBoolean(false) ? "success" : "failure";
        }
        JsonNode d = result.path("decision");
        if (d.isString()) {
            return d.asString();
        }
        if (d.isObject() && !d.isEmpty()) {
            return d.propertyNames().iterator().next();
        }
        return "answered";
    }
}
