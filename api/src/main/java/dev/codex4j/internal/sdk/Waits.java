package dev.codex4j.internal.sdk;

import dev.codex4j.errors.CodexException;

/** The one translation of an interrupted wait of the SDK layer into the unchecked exception users get. */
public final class Waits {
    private Waits() {}

    /**
     * Checks a latency budget ({@code maxDelay}) given by the user.
     *
     * @param maxDelay the budget
     * @return it
     * @throws IllegalArgumentException when negative
     */
    public static java.time.Duration maxDelay(java.time.Duration maxDelay) {
        java.util.Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay (a latency budget) must not be negative: " + maxDelay);
        }
        return maxDelay;
    }

    /**
     * @param waitingFor what the thread was waiting for
     * @param e the interrupt
     * @return the exception to throw
     */
    public static CodexException interrupted(String waitingFor, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CodexException("Interrupted while waiting for " + waitingFor, e);
    }
}
