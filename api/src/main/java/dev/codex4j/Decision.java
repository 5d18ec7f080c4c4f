package dev.codex4j;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The answer to an {@link ApprovalRequest}. Each request kind takes the decisions that make sense
 * for it; a decision that does not fit the request (for example {@link #answers} for a command)
 * is sent as a JSON-RPC error reply, and the server fails that item.
 *
 * <pre>{@code
 * ApprovalHandler handler = request -> request instanceof ApprovalRequest.Command c
 *         && "/bin/bash -c 'git status'".equals(c.command()) ? Decision.accept() : Decision.decline();
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

    /** @return decline; the model is told and the turn goes on */
    static Decision decline() {
        return Decline.INSTANCE;
    }

    /** @return decline and stop the turn (it ends {@code interrupted}) */
    static Decision cancel() {
        return Cancel.INSTANCE;
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

    /** @param answers for each question id, the chosen answers */
    record Answers(Map<String, List<String>> answers) implements Decision {
        /** Copies the map. */
        public Answers {
            answers = Map.copyOf(Objects.requireNonNull(answers, "answers"));
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
