package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalInbox;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;
import dev.codex4j.RecordSchema;
import dev.codex4j.Tool;
import dev.codex4j.ToolOutput;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.types.DynamicToolCallResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The few package-private members of the public package that the SDK's internals use (the
 * JDK's "shared secrets" pattern): the public types keep them out of the API, and
 * {@code dev.codex4j} installs the one implementation when its {@code Codex} class is initialized.
 * Every method here is named after the member it reaches.
 */
public abstract class SdkAccess {
    private static volatile @Nullable SdkAccess instance;

    /** @return the implementation, initializing the public package's {@code Codex} class if needed */
    public static SdkAccess get() {
        SdkAccess a = instance;
        if (a == null) {
            try {
                Class.forName("dev.codex4j.Codex", true, SdkAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = instance;
            if (a == null) {
                throw new IllegalStateException("dev.codex4j.Codex did not install its SdkAccess");
            }
        }
        return a;
    }

    /** Called once, by {@code dev.codex4j.Codex}'s static initializer. */
    public static void install(SdkAccess access) {
        if (instance != null) {
            throw new IllegalStateException("SdkAccess is installed already");
        }
        instance = access;
    }

    /** @return {@code ApprovalRequest.of(request)} */
    public abstract ApprovalRequest approvalRequest(ServerRequest request);

    /** @return {@code inbox.create(requestId, request)} */
    public abstract PendingApproval createPending(ApprovalInbox inbox, String requestId, ApprovalRequest request);

    /** {@code inbox.publish(pending)} */
    public abstract void publish(ApprovalInbox inbox, PendingApproval pending);

    /** @return {@code pending.cancel(reason)} */
    public abstract boolean cancel(PendingApproval pending, String reason);

    /** @return {@code pending.await()} */
    public abstract Decision await(PendingApproval pending) throws InterruptedException;

    /** @return {@code pending.deadlineNanos()} */
    public abstract long deadlineNanos(PendingApproval pending);

    /** @return {@code tool.input()} */
    public abstract RecordSchema<?> input(Tool tool);

    /** @return {@code tool.function()} */
    public abstract Tool.Function<Object> function(Tool tool);

    /** @return {@code schema.mismatch(tree)} */
    public abstract @Nullable String mismatch(RecordSchema<?> schema, JsonNode tree);

    /** @return {@code output.response()} */
    public abstract DynamicToolCallResponse response(ToolOutput output);
}
