package dev.codex4j;

import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a code review by Codex ({@code review/start}): {@link CodexThread#review} on the
 * thread itself, or {@link Codex#review} on a thread of its own. An immutable value.
 *
 * <pre>{@code
 * ReviewResult r = thread.review(ReviewTarget.BaseBranch.builder().branch("main").build());
 * System.out.println(r.review().orElse("(no review: " + r.status() + ")"));
 * }</pre>
 */
public final class ReviewResult {
    private final String threadId;
    private final RunResult result;

    ReviewResult(String threadId, RunResult result) {
        this.threadId = Objects.requireNonNull(threadId, "threadId");
        this.result = Objects.requireNonNull(result, "result");
    }

    /** @return the thread the review ran on */
    public String threadId() {
        return threadId;
    }

    /** @return the review turn's id */
    public String turnId() {
        return result.turnId();
    }

    /** @return how the review turn ended ({@code COMPLETED}, {@code INTERRUPTED}) */
    public TurnStatus status() {
        return result.status();
    }

    /**
     * @return the review as the server wrote it when it left review mode (the
     *     {@code exitedReviewMode} item: the overall verdict, then each finding with its priority,
     *     file and lines); empty when the turn ended without one (interrupted)
     */
    public Optional<String> review() {
        List<ThreadItem.ExitedReviewMode> exits = result.items(ThreadItem.ExitedReviewMode.class);
        return exits.isEmpty() ? Optional.empty() : Optional.of(exits.getLast().review());
    }

    /** @return the review turn's full result: its items (entered and exited review mode, messages), usage, duration */
    public RunResult result() {
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReviewResult r && threadId.equals(r.threadId) && result.equals(r.result);
    }

    @Override
    public int hashCode() {
        return Objects.hash(threadId, result);
    }

    @Override
    public String toString() {
        return "ReviewResult[threadId=" + threadId + ", turnId=" + turnId() + ", status=" + status() + ", review="
                + review().map(s -> s.length() > 80 ? s.substring(0, 80) + "..." : s).orElse("(none)") + "]";
    }
}
