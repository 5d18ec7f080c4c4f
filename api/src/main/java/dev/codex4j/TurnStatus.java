package dev.codex4j;

import java.util.Objects;

/**
 * How a turn ended: {@link #COMPLETED}, {@link #INTERRUPTED}, {@link #FAILED}, or a status newer
 * than this SDK (kept as sent, never an exception).
 *
 * <pre>{@code
 * if (result.status().equals(TurnStatus.INTERRUPTED)) { ... }
 * }</pre>
 *
 * @param value the wire value
 */
public record TurnStatus(String value) {
    /** The turn ran to its end. */
    public static final TurnStatus COMPLETED = new TurnStatus("completed");
    /** The turn was interrupted (by {@code interrupt()} or a cancelled approval). */
    public static final TurnStatus INTERRUPTED = new TurnStatus("interrupted");
    /** The turn failed; {@code run()} throws {@link TurnFailedException} for it. */
    public static final TurnStatus FAILED = new TurnStatus("failed");

    /** @param value not null */
    public TurnStatus {
        Objects.requireNonNull(value, "value");
    }

    /** @return the status for a wire value, known or not */
    public static TurnStatus of(String value) {
        return switch (value) {
            case "completed" -> COMPLETED;
            case "interrupted" -> INTERRUPTED;
            case "failed" -> FAILED;
            default -> new TurnStatus(value);
        };
    }

    @Override
    public String toString() {
        return value;
    }
}
