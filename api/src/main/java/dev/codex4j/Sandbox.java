package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where commands may read, write and connect: a typed preset ({@link #READ_ONLY},
 * {@link #WORKSPACE_WRITE}, {@link #DANGER_FULL_ACCESS}) or a raw sandbox policy object.
 *
 * <p>A thread takes a preset (sent as {@code sandbox}); a turn takes a preset or a raw policy
 * (sent as {@code sandboxPolicy}).
 *
 * <pre>{@code
 * TurnOptions.builder().sandbox(Sandbox.READ_ONLY).build();
 * }</pre>
 *
 * @param mode the preset's wire name ({@code read-only}...), or null for a raw policy
 * @param policy the turn-level policy object
 */
public record Sandbox(@Nullable String mode, JsonNode policy) {
    /** Read anywhere, write nowhere, no network. */
    public static final Sandbox READ_ONLY = preset("read-only", "readOnly");
    /** Write inside the working directory (and configured roots). */
    public static final Sandbox WORKSPACE_WRITE = preset("workspace-write", "workspaceWrite");
    /** No sandbox at all. Dangerous. */
    public static final Sandbox DANGER_FULL_ACCESS = preset("danger-full-access", "dangerFullAccess");

    /** @param policy not null */
    public Sandbox {
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * @param policy a {@code SandboxPolicy} object, for example
     *     {@code {"type":"workspaceWrite","writableRoots":["/data"],"networkAccess":true}}
     * @return a raw turn-level policy
     */
    public static Sandbox policy(JsonNode policy) {
        if (!policy.isObject() || !policy.path("type").isString()) {
            throw new IllegalArgumentException("A sandbox policy is an object with a string \"type\": " + policy);
        }
        return new Sandbox(null, policy.deepCopy());
    }

    private static Sandbox preset(String mode, String type) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("type", type);
        return new Sandbox(mode, p);
    }
}
