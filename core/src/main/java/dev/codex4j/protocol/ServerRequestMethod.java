package dev.codex4j.protocol;

import dev.codex4j.protocol.methods.ServerRequestMethods;
import java.util.Objects;

/**
 * A request method the server sends to a client (approvals, questions, tool calls), paired with its
 * params type and the type of the result the client answers with. The constants are in
 * {@link ServerRequestMethods}.
 *
 * <pre>{@code
 * ServerRequestMethod<?, ?> m = ServerRequestMethods.byName("item/commandExecution/requestApproval");
 * Class<?> answer = m.resultType();   // CommandExecutionRequestApprovalResponse
 * }</pre>
 *
 * @param name the method name on the wire
 * @param paramsType the params type
 * @param resultType the type of the client's answer
 * @param <P> the params type
 * @param <R> the result type
 */
public record ServerRequestMethod<P, R>(String name, Class<P> paramsType, Class<R> resultType) {
    /** All members required. */
    public ServerRequestMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(paramsType, "paramsType");
        Objects.requireNonNull(resultType, "resultType");
    }

    @Override
    public String toString() {
        return name;
    }
}
