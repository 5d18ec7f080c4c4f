package dev.codex4j;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ApprovalStore} keeps of an approval, and what any instance sees of it with
 * {@link ApprovalInbox#listShared()}: the request's kind, its ids, a one-line summary (the command,
 * the reason, the question) and the decisions offered, by name; never the request's params, its
 * environment, file contents, tokens or credentials.
 *
 * @param id its id (unique across instances: the owner's name, then a number)
 * @param owner the instance holding the server's request
 * @param kind the protocol method, for example {@code item/commandExecution/requestApproval}
 * @param requestId the JSON-RPC id of the server's request, as text
 * @param threadId the thread asking, or null
 * @param turnId the turn asking, or null
 * @param summary what is asked, in a line (at most 1,000 characters)
 * @param offeredDecisions the decisions another instance may send, by name ({@code accept},
 *     {@code acceptForSession}, {@code decline}, {@code cancel}; {@code refuse} always fits)
 * @param receivedAt when it arrived
 * @param deadline when it expires (by the store's clock once stored)
 * @param state where it is now
 * @param decision the decision sent, by name, or null
 * @param reason why it is no longer pending, or null
 */
public record StoredApproval(String id, String owner, String kind, String requestId, @Nullable String threadId,
        @Nullable String turnId, String summary, List<String> offeredDecisions, Instant receivedAt, Instant deadline,
        PendingApproval.State state, @Nullable String decision, @Nullable String reason) {

    /** Checks and copies. */
    public StoredApproval {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(summary, "summary");
        offeredDecisions = List.copyOf(offeredDecisions);
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(state, "state");
    }

    /** @return the decision sent, typed, or empty */
    public Optional<Decision> decisionValue() {
        return decision == null ? Optional.empty() : Optional.of(decisionNamed(decision));
    }

    /**
     * @param name {@code accept}, {@code acceptForSession}, {@code decline}, {@code cancel} or {@code refuse}
     * @return that decision
     * @throws IllegalArgumentException for another name
     */
    public static Decision decisionNamed(String name) {
        return switch (name) {
            case "accept" -> Decision.accept();
            case "acceptForSession" -> Decision.acceptForSession();
            case "decline" -> Decision.decline();
            case "cancel" -> Decision.cancel();
            case "refuse" -> Decision.refuse();
            default -> throw new IllegalArgumentException("no decision is named " + name
                    + " (accept, acceptForSession, decline, cancel, refuse)");
        };
    }

    /**
     * @param decision a decision
     * @return its name, or empty for a decision that carries data (amendments, answers, tool
     *     results, raw results: those are sent only by the instance holding the request)
     */
    public static Optional<String> nameOf(Decision decision) {
        return Optional.ofNullable(switch (decision) {
            case Decision.Accept a -> "accept";
            case Decision.AcceptForSession a -> "acceptForSession";
            case Decision.Decline d -> "decline";
            case Decision.Cancel c -> "cancel";
            case Decision.Refuse r -> "refuse";
            default -> null;
        });
    }
}
