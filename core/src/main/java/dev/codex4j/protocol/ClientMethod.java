package dev.codex4j.protocol;

import dev.codex4j.protocol.methods.ClientMethods;
import java.util.Objects;

/**
 * A request method a client sends, paired with its params and result types. The constants are in
 * {@link ClientMethods}; {@link TypedCodec} encodes params and binds results with them.
 *
 * <pre>{@code
 * ClientMethod<ThreadStartParams, ThreadStartResponse> m = ClientMethods.THREAD_START;
 * ThreadStartResponse r = TypedCodec.result(m, response.result());
 * }</pre>
 *
 * @param name the method name on the wire, e.g. {@code "thread/start"}
 * @param paramsType the params type ({@code Void} when the method takes none)
 * @param resultType the result type
 * @param <P> the params type
 * @param <R> the result type
 */
public record ClientMethod<P, R>(String name, Class<P> paramsType, Class<R> resultType) {
    /** All members required. */
    public ClientMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(paramsType, "paramsType");
        Objects.requireNonNull(resultType, "resultType");
    }

    @Override
    public String toString() {
        return name;
    }
}
