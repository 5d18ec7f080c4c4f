package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;
import dev.codex4j.protocol.types.CodexErrorInfo;
import dev.codex4j.protocol.types.TurnError;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A turn ended with status {@code failed}. Carries the server's error (the generated
 * {@link TurnError}: message and {@code codexErrorInfo}) and the partial result (items completed
 * before the failure).
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (TurnFailedException e) {
 *     if (CodexErrorInfo.USAGE_LIMIT_EXCEEDED.equals(e.error().codexErrorInfo())) waitForTomorrow();
 *     System.err.println(e.error().message() + " / " + e.codexErrorInfoName().orElse("?"));
 * }
 * }</pre>
 */
public class TurnFailedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final transient Object result;
    private final transient TurnError error;

    /**
     * @param turnId the failed turn
     * @param result the failed turn's result (the SDK's {@code dev.codex4j.RunResult})
     * @param error the server's error
     */
    public TurnFailedException(String turnId, Object result, TurnError error) {
        this(turnId, result, error, "");
    }

    /**
     * For subclasses that say more.
     *
     * @param turnId the failed turn
     * @param result the failed turn's result
     * @param error the server's error
     * @param more appended to the message
     */
    protected TurnFailedException(String turnId, Object result, TurnError error, String more) {
        super("Turn " + turnId + " failed: " + error.message()
                + name(error.codexErrorInfo()).map(k -> " (" + k + ")").orElse("") + more);
        this.result = result;
        this.error = error;
    }

    /**
     * The failed turn's result: status {@code failed}, the items completed before the failure, the
     * usage. It is the SDK's {@code dev.codex4j.RunResult}, which this package (in the core module,
     * below the SDK) cannot name; ask for it by its type.
     *
     * <pre>{@code
     * RunResult partial = e.result(RunResult.class);
     * }</pre>
     *
     * @param type {@code RunResult.class}
     * @param <T> the result type
     * @return the result
     * @throws ClassCastException when it is not a {@code type}
     */
    public <T> T result(Class<T> type) {
        return type.cast(result);
    }

    /** @return the server's error */
    public TurnError error() {
        return error;
    }

    /**
     * @return the kind of error by its wire name: the value ({@code internalServerError}) or the
     *     object form's member ({@code httpConnectionFailed}); empty when the server gave none
     */
    public Optional<String> codexErrorInfoName() {
        return name(error.codexErrorInfo());
    }

    private static Optional<String> name(@Nullable CodexErrorInfo info) {
        if (info == null) {
            return Optional.empty();
        }
        if (info instanceof CodexErrorInfo.Value v) {
            return Optional.of(v.value());
        }
        JsonNode json = CodexErrorInfo.codec().toJsonNode(info);
        if (json.isObject() && json.properties().iterator().hasNext()) {
            return Optional.of(json.properties().iterator().next().getKey());
        }
        return Optional.of(json.toString());
    }
}
