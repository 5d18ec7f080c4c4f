package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;
import org.jspecify.annotations.Nullable;

/**
 * The final answer of a structured-output turn is missing, is not JSON, or does not match the
 * requested record ({@code RecordSchema}). Carries the answer's text and, when the JSON was read,
 * the path of the first mismatch ({@code $.items[2].score}).
 *
 * <pre>{@code
 * catch (StructuredOutputException e) { System.err.println(e.path() + " in " + e.answer()); }
 * }</pre>
 */
public class StructuredOutputException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String answer;
    private final @Nullable String path;

    /**
     * @param message what is wrong
     * @param answer the answer's text, or null when there was none
     * @param cause the parser's exception, or null
     */
    public StructuredOutputException(String message, @Nullable String answer, @Nullable Throwable cause) {
        this(message, answer, null, cause);
    }

    /**
     * @param message what is wrong
     * @param answer the answer's text, or null when there was none
     * @param path the JSON path of the mismatch ({@code $} for the whole answer), or null
     * @param cause the parser's exception, or null
     */
    public StructuredOutputException(String message, @Nullable String answer, @Nullable String path,
            @Nullable Throwable cause) {
        super(message, cause);
        this.answer = answer;
        this.path = path;
    }

    /** @return the answer's text, or null */
    public @Nullable String answer() {
        return answer;
    }

    /** @return the JSON path of the first mismatch ({@code $} for the whole answer), or null when there was no answer */
    public @Nullable String path() {
        return path;
    }
}
