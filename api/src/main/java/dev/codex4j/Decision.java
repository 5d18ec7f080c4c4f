package dev.codex4j;

import dev.codex4j.protocol.types.NetworkPolicyAmendment;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The answer to an {@link ApprovalRequest}. Each request kind takes the decisions that make sense
 * for it, and a command approval takes only those the server offered
 * ({@link ApprovalRequest#offers(Decision)}). A decision that does not fit is never sent: the
 * SDK logs why at WARNING and answers with {@link #refuse()} instead.
 *
 * <pre>{@code
 * ApprovalHandler handler = request -> switch (request) {
 *     case ApprovalRequest.Command c when "/bin/bash -c 'git status'".equals(c.command()) -> Decision.accept();
 *     default -> Decision.refuse();   // decline if offered, else cancel, else an error reply
 * };
 * }</pre>
 */
public sealed interface Decision {

    /** @return accept this once */
    static Decision accept() {
        return Accept.INSTANCE;
    }

    /** @return accept this and the same kind of request for the rest of the session */
    static Decision acceptForSession() {
        return AcceptForSession.INSTANCE;
    }

    /**
     * Decline: the model is told and the turn goes on. For a command, only when the server offers
     * it ({@code availableDecisions}); Codex 0.169.0 offers {@code cancel} instead. Use
     * {@link #refuse()} for "no" whatever the server offers.
     *
     * @return decline
     */
    static Decision decline() {
        return Decline.INSTANCE;
    }

    /**
     * Decline and stop the turn: it ends {@code interrupted}. On a permissions request (whose
     * reply has no cancel) the SDK grants nothing and interrupts the turn ({@code turn/interrupt})
     * before it replies.
     *
     * @return cancel
     */
    static Decision cancel() {
        return Cancel.INSTANCE;
    }

    /**
     * The fail-closed answer, what {@link ApprovalHandler#declineAll()} sends and what is sent when
     * a handler throws, times out or returns a decision that does not fit. The safest decision the
     * request offers, in this order: {@code decline} (the model is told, the turn goes on), else
     * {@code cancel} (the turn ends {@code interrupted}), else a JSON-RPC error reply (the server
     * fails that item). File changes, permissions (nothing granted) and MCP elicitations are
     * declined; user input, tool calls and requests this SDK does not model get the error reply.
     * It never accepts.
     *
     * @return refuse as safely as the request allows
     */
    static Decision refuse() {
        return Refuse.INSTANCE;
    }

    /**
     * Accept the command, and add this prefix rule to the execution policy so that matching
     * commands run without asking again. Offered by the server as
     * {@code {"acceptWithExecpolicyAmendment":{"execpolicy_amendment":[...]}}} with the prefix it
     * proposes ({@link ApprovalRequest.Command#availableDecisions()} holds it); another prefix is
     * not an offered decision.
     *
     * @param execpolicyAmendment the command prefix, for example {@code ["touch", "marker.txt"]}
     * @return the decision (legacy {@code execCommandApproval}: {@code approved_execpolicy_amendment})
     */
    static Decision acceptWithExecpolicyAmendment(List<String> execpolicyAmendment) {
        return new AcceptWithExecpolicyAmendment(execpolicyAmendment);
    }

    /**
     * Apply a persistent network rule (allow or deny this host) for a managed-network command
     * approval; the server offers the amendment it proposes.
     *
     * @param amendment the rule, for example {@code NetworkPolicyAmendment.builder().host("example.com").action(NetworkPolicyRuleAction.ALLOW).build()}
     * @return the decision (legacy {@code execCommandApproval}: {@code network_policy_amendment})
     */
    static Decision applyNetworkPolicyAmendment(NetworkPolicyAmendment amendment) {
        return new ApplyNetworkPolicyAmendment(amendment);
    }

    /**
     * @param answers for each question id, the chosen answers
     * @return answers to a {@link ApprovalRequest.UserInput}
     */
    static Decision answers(Map<String, List<String>> answers) {
        return new Answers(answers);
    }

    /**
     * @param success whether the tool call succeeded
     * @param text the tool's output, as text
     * @return the result of a {@link ApprovalRequest.ToolCall}
     */
    static Decision toolResult(boolean success, String text) {
        return new ToolResult(success, text);
    }

    /**
     * The exact result to send, unchecked: it is neither validated against the request nor
     * against the decisions the server offered.
     *
     * @param result the exact JSON result to send
     * @return a raw reply, for requests this SDK does not model
     */
    static Decision raw(JsonNode result) {
        return new Raw(result);
    }

    /** Accept once. */
    enum Accept implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /** Accept for the session. */
    enum AcceptForSession implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /** Decline. */
    enum Decline implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /** Decline and interrupt the turn. */
    enum Cancel implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /** The safest refusal the request offers; see {@link Decision#refuse()}. */
    enum Refuse implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /** @param execpolicyAmendment the command prefix to allow from now on */
    record AcceptWithExecpolicyAmendment(List<String> execpolicyAmendment) implements Decision {
        /** Copies the list. */
        public AcceptWithExecpolicyAmendment {
            execpolicyAmendment = List.copyOf(Objects.requireNonNull(execpolicyAmendment, "execpolicyAmendment"));
        }
    }

    /** @param amendment the network rule to persist */
    record ApplyNetworkPolicyAmendment(NetworkPolicyAmendment amendment) implements Decision {
        /** @param amendment not null */
        public ApplyNetworkPolicyAmendment {
            Objects.requireNonNull(amendment, "amendment");
        }
    }

    /** @param answers for each question id, the chosen answers (copied, unmodifiable) */
    record Answers(Map<String, List<String>> answers) implements Decision {
        /** Copies the map. */
        public Answers {
            answers = Objects.requireNonNull(answers, "answers").entrySet().stream().collect(
                    Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
        }
    }

    /**
     * @param success whether the call succeeded
     * @param text the output
     */
    record ToolResult(boolean success, String text) implements Decision {
        /** @param text not null */
        public ToolResult {
            Objects.requireNonNull(text, "text");
        }
    }

    /** @param result the exact result object sent back */
    record Raw(JsonNode result) implements Decision {
        /** @param result not null */
        public Raw {
            Objects.requireNonNull(result, "result");
        }
    }
}
