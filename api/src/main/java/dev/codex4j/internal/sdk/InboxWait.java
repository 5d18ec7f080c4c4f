package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.Reservation;
import dev.codex4j.internal.runtime.Subscription;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.TypedCodec;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One server request parked in an {@link ApprovalInbox}, from its arrival to its reply. Runs on
 * the request's own handler thread ({@code codex4j-server-request}), which waits for the
 * {@link PendingApproval} to settle. While it waits, the approval is cancelled by:
 * {@code serverRequest/resolved} for its id (a subscription to its thread, whose listener runs on
 * that subscription's virtual thread), the end of its turn (a virtual thread
 * {@code codex4j-approval-turn-watch} waiting for the reservation of the turn whose handler took the
 * request to be released: the runtime gives a request to a turn's handler only when it names that
 * turn or the turn's id is not known yet), and the
 * client's close (which interrupts this handler thread).
 */
public final class InboxWait {
    private static final SdkAccess A = SdkAccess.get();

    private InboxWait() {}

    /**
     * @param turn the reservation of the turn whose handler took the request, or null when the
     *     client's handler did (no turn of this client: only the deadline, the server and the
     *     close end it)
     */
    static JsonNode answer(Session session, ApprovalInbox inbox, RequestId requestId, ApprovalRequest request,
            @Nullable Reservation turn) throws InterruptedException {
        PendingApproval pending = A.createPending(inbox, requestId.toString(), request);
        Connection c = session.connection();
        String threadId = request.threadId();
        @Nullable Subscription resolved = null;
        @Nullable Thread turnWatch = null;
        try {
            if (threadId != null) {
                resolved = c.subscribeThread(threadId, in -> {
                    if (ServerNotification.ServerRequestResolved.METHOD.equals(in.method()) && isFor(in, requestId)) {
                        A.cancel(pending, "the server resolved the request (serverRequest/resolved)");
                    }
                }, Integer.MAX_VALUE, false, Session.INTERNAL_MAX_DELAY);
            }
            turnWatch = watchTurn(c, turn, pending);
            // listed only now: whoever sees it can count on the server's word and the turn's end reaching it
            A.publish(inbox, pending);
            if (!c.isOpen()) {
                A.cancel(pending, CLOSED);
            }
            Decision decision = A.await(pending);
            return ApprovalReplies.answer(request, r -> decision, session::interruptForApproval);
        } finally {
            // an interrupt (the client closing) or a closed connection on the way: it is over
            A.cancel(pending, c.isOpen() ? "the request's handler failed" : CLOSED);
            if (resolved != null) {
                resolved.close();
            }
            if (turnWatch != null) {
                turnWatch.interrupt();
            }
        }
    }

    private static final String CLOSED = "the client closed";

    private static boolean isFor(Inbound in, RequestId requestId) {
        try {
            return in.message() instanceof JsonRpcMessage.Notification n
                    && TypedCodec.notification(n) instanceof ServerNotification.ServerRequestResolved r
                    && requestId.equals(r.params().requestId());
        } catch (RuntimeException e) {
            return false; // a line that does not decode names no request
        }
    }

    /** Cancels the approval when the reservation of its turn is released (the turn ended or was interrupted). */
    private static @Nullable Thread watchTurn(Connection c, @Nullable Reservation turn, PendingApproval pending) {
        if (turn == null) {
            return null;
        }
        return Thread.ofVirtual().name("codex4j-approval-turn-watch").start(() -> {
            try {
                Deadline deadline = Deadline.at(A.deadlineNanos(pending));
                if (!deadline.isExpired() && turn.awaitRelease(deadline.remaining())) {
                    A.cancel(pending, c.isOpen() ? "its turn ended" : CLOSED);
                }
            } catch (InterruptedException e) {
                // settled: nothing to watch
            }
        });
    }
}
