package dev.codex4j;

/**
 * What code that runs threads needs from a client, whether one app-server ({@link Codex}) or many
 * ({@link CodexFleet}): both hand out the same {@link CodexThread} and {@link TurnHandle}, so code
 * written against this interface moves from one server to a fleet by changing the builder.
 *
 * <pre>{@code
 * CodexClient client = fleet ? CodexFleet.builder().endpoint(a).endpoint(b).build() : Codex.start();
 * try (client) {
 *     CodexThread thread = client.startThread();
 *     System.out.println(thread.run("Summarize the repo").finalResponse().orElse(""));
 * }
 * }</pre>
 */
public sealed interface CodexClient extends AutoCloseable permits Codex, CodexFleet {

    /** @return a new thread with the server's defaults ({@code thread/start}) */
    CodexThread startThread();

    /** @return a new thread with these options ({@code thread/start}) */
    CodexThread startThread(ThreadOptions options);

    /** @return the existing thread, loaded and ready for turns ({@code thread/resume}) */
    CodexThread resumeThread(String threadId);

    /** @return the existing thread, resumed with these options ({@code thread/resume}) */
    CodexThread resumeThread(String threadId, ThreadOptions options);

    /** @return a new thread with a copy of the given thread's history ({@code thread/fork}) */
    CodexThread forkThread(String threadId);

    /** @return a fork of the thread with these options ({@code thread/fork}) */
    CodexThread forkThread(String threadId, ThreadOptions options);

    /** @return whether the client is usable (not closed) */
    boolean isOpen();

    /** Closes the client and everything it started. Idempotent; throws nothing. */
    @Override
    void close();

    /**
     * Shuts down gracefully: no new turn starts from now on ({@code turn()} throws
     * {@link dev.codex4j.errors.CapacityExceededException}); the turns in flight may finish for up
     * to {@code grace}; then the client closes, which ends those still running.
     *
     * @param grace how long the turns in flight may still run
     * @return whether every turn ended within {@code grace}
     */
    boolean shutdown(java.time.Duration grace);
}
