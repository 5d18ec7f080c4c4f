package dev.codex4j;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers the server's approval requests. Called on a virtual thread of its own for each request,
 * so it may block (for example waiting for a person) without delaying anything else; the turn
 * waits for the answer (bound the wait with {@link #withTimeout(Duration)}).
 *
 * <p><b>The default fails closed</b>: {@link #declineAll()} answers every request with
 * {@link Decision#refuse()}, the safest decision the request offers (decline, else cancel, else a
 * JSON-RPC error reply). The same refusal is sent when a handler throws, times out, returns null or
 * returns a decision the request does not take (logged at WARNING by the logger
 * {@code dev.codex4j.ApprovalHandler}). Nothing is ever accepted unless a handler says so.
 *
 * <pre>{@code
 * Codex codex = Codex.builder()
 *         .approvalHandler(request -> request instanceof ApprovalRequest.Command c  // as the shell runs it
 *                 && "/bin/bash -c 'ls'".equals(c.command()) ? Decision.accept() : Decision.refuse())
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface ApprovalHandler {

    /**
     * @param request what the server asks
     * @return the answer
     * @throws Exception to answer with {@link Decision#refuse()} instead
     */
    Decision decide(ApprovalRequest request) throws Exception;

    /**
     * This handler, bounded: when it has not answered within the timeout, the request is answered
     * with {@link Decision#refuse()} and the handler's thread is interrupted.
     *
     * <pre>{@code
     * ApprovalHandler reviewer = askAPerson.withTimeout(Duration.ofMinutes(5));
     * }</pre>
     *
     * @param timeout how long to wait for the answer, positive
     * @return a handler that answers within the timeout
     */
    default ApprovalHandler withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        ApprovalHandler inner = this;
        return request -> {
            CompletableFuture<Decision> answer = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().name("codex4j-approval-handler").start(() -> {
                try {
                    answer.complete(inner.decide(request));
                } catch (Throwable e) {
                    answer.completeExceptionally(e);
                }
            });
            try {
                return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                t.interrupt();
                System.getLogger(ApprovalHandler.class.getName()).log(System.Logger.Level.WARNING,
                        () -> "No answer to " + request.method() + " within " + timeout + "; refusing (fails closed)");
                return Decision.refuse();
            } catch (InterruptedException e) {
                t.interrupt();
                throw e;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        };
    }

    /**
     * The default: answers every request with {@link Decision#refuse()}. A command is declined
     * when the server offers {@code decline}, else cancelled (Codex 0.169.0 offers {@code accept},
     * an execpolicy amendment and {@code cancel}, so the turn ends {@code interrupted}); file
     * changes, permissions and MCP elicitations are declined; user input, tool calls and requests
     * this SDK does not know get a JSON-RPC error reply.
     *
     * @return a handler that never accepts
     */
    static ApprovalHandler declineAll() {
        return request -> Decision.refuse();
    }

    /**
     * <b>Dangerous</b>: lets the agent run any command and change any file it asks to, with the
     * permissions it asks for. Use only in throwaway sandboxes and tests. User input, tool calls
     * and unknown requests are refused.
     *
     * @return a handler that accepts every command, file change, permission and elicitation
     */
    static ApprovalHandler acceptAll() {
        return request -> switch (request) {
            case ApprovalRequest.UserInput u -> Decision.refuse();
            case ApprovalRequest.ToolCall t -> Decision.refuse();
            case ApprovalRequest.Unknown u -> Decision.refuse();
            default -> Decision.accept();
        };
    }
}
