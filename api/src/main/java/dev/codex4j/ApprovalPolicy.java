package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * When Codex asks before it acts: {@link #UNTRUSTED}, {@link #ON_REQUEST}, {@link #NEVER}, or a
 * raw policy (for example a {@code granular} object) for values this SDK does not name.
 *
 * <pre>{@code
 * ThreadOptions.builder().approvalPolicy(ApprovalPolicy.ON_REQUEST).build();
 * }</pre>
 *
 * @param json the wire value
 */
public record ApprovalPolicy(JsonNode json) {
    /** Ask before running anything not known to be safe. */
    public static final ApprovalPolicy UNTRUSTED = of("untrusted");
    /** The model decides when to ask (for example to leave the sandbox). */
    public static final ApprovalPolicy ON_REQUEST = of("on-request");
    /** Never ask; failures go back to the model. */
    public static final ApprovalPolicy NEVER = of("never");

    /** @param json not null */
    public ApprovalPolicy {
        Objects.requireNonNull(json, "json");
    }

    /** @return the policy with this wire name, known or not */
    public static ApprovalPolicy of(String value) {
        return new ApprovalPolicy(StringNode.valueOf(value));
    }

    /** @return a policy given as raw JSON, for shapes this SDK does not model */
    public static ApprovalPolicy raw(JsonNode json) {
        return new ApprovalPolicy(json.deepCopy());
    }

    @Override
    public String toString() {
        return ProtocolCodec.mapper().writeValueAsString(json);
    }
}
