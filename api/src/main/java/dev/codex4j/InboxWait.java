package dev.codex4j;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.TypedCodec;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One server request parked in an {@link ApprovalInbox}, from its arrival to its reply. Runs on
 * the request's own handler thread ({@code codex4j-server-request}), which waits for the
 * {@link PendingApproval} to settle. While it waits, the approval is cancelled by:
 * {@code serverRequest/resolved} for its id (a subscription to its thread, whose listener runs on
 * that subscription's virtual thread), the end of its turn (a virtual thread
 * {@code codex4j-approval-turn-watch} waiting for the turn's reservation to be released), and the
 * client's close (which interrupts this handler thread).
 */
final class InboxWait {
    private InboxWait() {}

    static JsonNode answer(Codex codex, ApprovalInbox inbox, RequestId requestId, ApprovalRequest request)
            throws InterruptedException {
        PendingApproval pending = inbox.add(requestId.toString(), request);
        Connection c = codex.connection();
        String threadId = request.threadId();
        @Nullable Subscription resolved = null;
        @Nullable Thread turnWatch = null;
        try {
            if (threadId != null) {
                resolved = c.subscribeThread(threadId, in -> {
                    if (ServerNotification.ServerRequestResolved.METHOD.equals(in.method())
                            && in.message() instanceof JsonRpcMessage.Notification n
                            && TypedCodec.notification(n) instanceof ServerNotification.ServerRequestResolved r
                            && requestId.equals(r.params().requestId())) {
                        pending.cancel("the server resolved the request (serverRequest/resolved)");
                    }
                });
                turnWatch = watchTurn(c.reservation(threadId), request.turnId(), pending);
            }
            if (!c.isOpen()) {
                pending.cancel("the client is closed");
            }
            Decision decision;
            try {
                decision = pending.await();
            } catch (InterruptedException e) {
                pending.cancel("the client closed");
                throw e;
            }
            return ApprovalReplies.answer(request, r -> decision, codex::interruptForApproval);
        } finally {
            if (resolved != null) {
                resolved.close();
            }
            if (turnWatch != null) {
                turnWatch.interrupt();
            }
        }
    }

    /** Cancels the approval when the reservation of its turn is released (the turn ended or was interrupted). */
    private static @Nullable Thread watchTurn(@Nullable Reservation turn, @Nullable String turnId, PendingApproval pending) {
        if (turn == null || (turnId != null && turn.turnId() != null && !turnId.equals(turn.turnId()))) {
            return null;
        }
        return Thread.ofVirtual().name("codex4j-approval-turn-watch").start(() -> {
            try {
                long left = pending.deadlineNanos() - System.nanoTime();
                if (left > 0 && turn.awaitRelease(Duration.ofNanos(left))) {
                    pending.cancel("its turn ended");
                }
            } catch (InterruptedException e) {
                // settled: nothing to watch
            }
        });
    }
}
