package dev.codex4j.internal.sdk;

import dev.codex4j.errors.CodexException;

/** The one translation of an interrupted wait of the SDK layer into the unchecked exception users get. */
public final class Waits {
    private Waits() {}

    /**
     * Keeps the thread's interrupt status and names what was being waited for.
     *
     * @param waitingFor what the thread waited for ("the reply to thread/read")
     * @param e the interrupt
     * @return the exception to throw
     */
    public static CodexException interrupted(String waitingFor, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CodexException("Interrupted while waiting for " + waitingFor, e);
    }
}
