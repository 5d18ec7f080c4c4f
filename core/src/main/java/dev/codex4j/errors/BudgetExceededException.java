package dev.codex4j.errors;

/**
 * A turn was refused before anything was sent: the client's or the thread's budget
 * ({@code dev.codex4j.Budget}) is spent, or its cost cannot be known (a money budget and a model
 * without a price).
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (BudgetExceededException e) {
 *     log.warn(e.getMessage());
 * }
 * }</pre>
 */
public class BudgetExceededException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String scope;

    /**
     * @param scope {@code client} or {@code thread <id>}
     * @param message what was spent against which budget
     */
    public BudgetExceededException(String scope, String message) {
        super(message);
        this.scope = scope;
    }

    /** @return whose budget: {@code client}, or {@code thread <id>} */
    public String scope() {
        return scope;
    }
}
