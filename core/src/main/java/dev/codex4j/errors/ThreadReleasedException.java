package dev.codex4j.errors;

/**
 * The thread of this {@code CodexThread} was released on its app-server, so this object may no
 * longer act on it: a {@code CodexFleet} released it on a drained endpoint to resume it on another
 * (or before closing the drained endpoint's client). The fleet never changes the endpoint under a
 * {@code CodexThread} the caller holds: get the thread where it lives now with
 * {@code fleet.resumeThread(threadId())}. Nothing was sent.
 *
 * <pre>{@code
 * try {
 *     thread.run("next");
 * } catch (ThreadReleasedException e) {
 *     thread = fleet.resumeThread(e.threadId());
 * }
 * }</pre>
 */
public class ThreadReleasedException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String threadId;

    /**
     * @param threadId the thread
     * @param reason where it was released, and why
     */
    public ThreadReleasedException(String threadId, String reason) {
        super(reason);
        this.threadId = threadId;
    }

    /** @return the thread that was released */
    public String threadId() {
        return threadId;
    }
}
