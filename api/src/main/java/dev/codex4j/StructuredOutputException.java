package dev.codex4j;

import dev.codex4j.protocol.CodexException;
import org.jspecify.annotations.Nullable;

/**
 * The final answer of a structured-output turn is missing or does not parse as the requested
 * type. Carries the answer's text.
 *
 * <pre>{@code
 * catch (StructuredOutputException e) { System.err.println("bad JSON: " + e.answer()); }
 * }</pre>
 */
public class StructuredOutputException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String answer;

    /**
     * @param message what is wrong
     * @param answer the answer's text, or null when there was none
     * @param cause the parser's exception, or null
     */
    public StructuredOutputException(String message, @Nullable String answer, @Nullable Throwable cause) {
        super(message, cause);
        this.answer = answer;
    }

    /** @return the answer's text, or null */
    public @Nullable String answer() {
        return answer;
    }
}
