package dev.codex4j.testkit;

import java.util.Objects;

/**
 * The {@code phase} of an assistant message: {@link #COMMENTARY} (progress notes while working) or
 * {@link #FINAL_ANSWER}. A value class rather than an enum so a test can send a phase that a newer
 * model might use ({@code Phase.of("something_new")}).
 *
 * <pre>{@code
 * server.enqueue(ModelReply.message("Looking...", Phase.COMMENTARY).thenMessage("Done."));
 * }</pre>
 *
 * @param value the wire value
 */
public record Phase(String value) {
    /** Progress notes the model writes while it works. */
    public static final Phase COMMENTARY = new Phase("commentary");
    /** The answer that ends the turn. */
    public static final Phase FINAL_ANSWER = new Phase("final_answer");

    /** @throws IllegalArgumentException when the value is blank */
    public Phase {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("phase must not be blank");
        }
    }

    /** @return the phase with this wire value */
    public static Phase of(String value) {
        return new Phase(value);
    }
}
