package dev.codex4j.errors;

import dev.codex4j.errors.CodexException;

/**
 * Admission refused: every slot for a turn was taken for the whole admission wait
 * ({@code CodexBuilder#maxConcurrentTurns}), or, in a {@code CodexFleet}, no endpoint that is up
 * had a free slot. Nothing was sent to any server; trying again later is safe.
 *
 * <pre>{@code
 * try {
 *     return thread.run(prompt);
 * } catch (CapacityExceededException e) {
 *     return Response.status(503).header("Retry-After", "2").build();
 * }
 * }</pre>
 */
public class CapacityExceededException extends CodexException {
    private static final long serialVersionUID = 1L;

    /** @param message what was full, and for how long the caller waited */
    public CapacityExceededException(String message) {
        super(message);
    }
}
