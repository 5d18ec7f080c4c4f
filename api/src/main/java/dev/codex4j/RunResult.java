package dev.codex4j;

import dev.codex4j.internal.sdk.TurnFold;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.ThreadTokenUsage;
import dev.codex4j.protocol.types.TurnError;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished turn produced, in the protocol's own types.
 *
 * <p>{@link #finalResponse()} is the text of the last agent message with phase
 * {@code final_answer}; when there is none, the last agent message without a phase (even if
 * empty); commentary never counts; otherwise empty. {@link #items()} holds the items this turn
 * completed, in arrival order (items that started but never completed, as in an interrupted
 * turn, are not there). An item this version cannot read (a newer kind of item, or one whose
 * members do not bind) is a {@link ThreadItem.Unknown} holding its JSON and the reason.
 *
 * <pre>{@code
 * RunResult r = thread.run("Run the tests");
 * for (ThreadItem.CommandExecution c : r.items(ThreadItem.CommandExecution.class)) {
 *     System.out.println(c.command() + " -> " + c.exitCode());
 * }
 * System.out.println(r.finalResponse().orElse("(no answer)") + " in " + r.durationMs() + " ms");
 * }</pre>
 *
 * @param turnId the turn
 * @param status how it ended ({@code TurnStatus.COMPLETED}, {@code INTERRUPTED} or {@code FAILED}; an
 *     open enum, so a newer server's status is kept as sent)
 * @param finalResponse the answer, as defined above
 * @param items the completed items, as the generated sealed {@link ThreadItem} union
 * @param usage the thread's token usage as last reported during the turn ({@code last}: the last
 *     model call, {@code total}: the thread so far), if reported
 * @param durationMs wall time from {@code turn/start} to {@code turn/completed}, as seen by the client
 * @param error why it failed, for a failed (or errored) turn
 */
public record RunResult(
        String turnId,
        TurnStatus status,
        Optional<String> finalResponse,
        List<ThreadItem> items,
        Optional<ThreadTokenUsage> usage,
        long durationMs,
        Optional<TurnError> error) {

    /** Copies the list; nothing is null. */
    public RunResult {
        Objects.requireNonNull(turnId, "turnId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finalResponse, "finalResponse");
        items = List.copyOf(items);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(error, "error");
    }

    /**
     * @param type a kind of item, for example {@code ThreadItem.CommandExecution.class}
     * @param <T> that kind
     * @return the completed items of that kind, in order
     */
    public <T extends ThreadItem> List<T> items(Class<T> type) {
        return items.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** @return the agent messages' texts, in order, commentary included */
    public List<String> agentMessages() {
        return items.stream().map(TurnFold::agentMessageText).filter(Objects::nonNull).toList();
    }
}
