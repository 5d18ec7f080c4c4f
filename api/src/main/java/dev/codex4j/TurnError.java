package dev.codex4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The server's account of why a turn failed.
 *
 * <pre>{@code
 * catch (TurnFailedException e) {
 *     System.err.println(e.error().message() + " " + e.error().codexErrorInfoName().orElse("(no kind)"));
 * }
 * }</pre>
 *
 * @param message the server's message
 * @param codexErrorInfo the machine-readable kind ({@code "internalServerError"}, or an object), as sent; or null
 * @param additionalDetails more detail, or null
 * @param raw the error object as sent
 */
public record TurnError(String message, @Nullable JsonNode codexErrorInfo, @Nullable String additionalDetails,
        JsonNode raw) {

    /** @return the kind of error, as sent, if any */
    public Optional<JsonNode> codexErrorInfoJson() {
        return Optional.ofNullable(codexErrorInfo);
    }

    /** @return the kind of error when it is a plain string ({@code "internalServerError"}), else the JSON text */
    public Optional<String> codexErrorInfoName() {
        if (codexErrorInfo == null || codexErrorInfo.isNull()) {
            return Optional.empty();
        }
        if (codexErrorInfo.isString()) {
            return Optional.of(codexErrorInfo.asString());
        }
        if (codexErrorInfo.isObject() && codexErrorInfo.properties().iterator().hasNext()) {
            return Optional.of(codexErrorInfo.properties().iterator().next().getKey());
        }
        return Optional.of(codexErrorInfo.toString());
    }

    /**
     * @param error the error object as sent ({@code message}, {@code codexErrorInfo}, ...)
     * @return the error
     */
    public static TurnError fromJson(JsonNode error) {
        JsonNode info = error.get("codexErrorInfo");
        JsonNode details = error.get("additionalDetails");
        return new TurnError(error.path("message").asString("(no message)"),
                info == null || info.isNull() ? null : info,
                details != null && details.isString() ? details.asString() : null, error);
    }
}
