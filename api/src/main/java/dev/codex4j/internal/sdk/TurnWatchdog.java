package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.TurnMailbox;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.TurnStatus;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The turn-completion watchdog. Some servers lose a turn's terminal {@code turn/completed}
 * (openai/codex#28495); a turn that has heard nothing for {@code silence} is reconciled with the
 * server's view: the SDK reads the thread ({@code thread/read} with its turns), and if the server
 * says the turn has ended, it settles the turn's mailbox with a {@code turn/completed} made from
 * that view, so its consumer and its thread go on. A turn the server still runs is left alone and
 * looked at again later.
 *
 * <p>Threads: the scanning tick runs on the connection's scheduler and only starts work; each
 * reconciliation runs on a virtual thread of its own ({@code codex4j-watchdog}).
 */
public final class TurnWatchdog {
    private static final System.Logger LOG = System.getLogger(TurnWatchdog.class.getName());

    private final Session session;
    /** The connection it watches: a supervised client starts one watchdog per connection. */
    private final Connection connection;
    private final Duration silence;
    /** Turns being reconciled now; each is added and removed by its reconciling thread's starter. */
    private final Set<String> checking = ConcurrentHashMap.newKeySet();

    public TurnWatchdog(Session session, Connection connection, Duration silence) {
        this.session = session;
        this.connection = connection;
        this.silence = silence;
    }

    public void start() {
        if (silence.isZero()) {
            return;
        }
        Duration period = Duration.ofMillis(Math.max(50, silence.toMillis() / 4));
        connection.every(period, this::tick);
    }

    /** Scheduler: starts a reconciliation for every silent turn not being reconciled already. */
    private void tick() {
        Connection c = connection;
        for (TurnMailbox m : c.silentTurns(silence)) {
            if (checking.add(m.turnId())) {
                try {
                    c.startThread("codex4j-watchdog", () -> {
                        try {
                            reconcile(m);
                        } finally {
                            checking.remove(m.turnId());
                        }
                    });
                } catch (RuntimeException e) {
                    checking.remove(m.turnId());
                }
            }
        }
    }

    /**
     * Asks the server about one silent turn and settles it when the server says it ended. The reply
     * is read as JSON, not bound to {@code ThreadReadResponse}: the watchdog needs only each turn's
     * id and status, and must settle a turn even when a newer server's thread does not bind to
     * this version's types.
     */
    void reconcile(TurnMailbox m) {
        JsonNode read;
        try {
            ThreadReadParams p = ThreadReadParams.builder().threadId(m.threadId()).includeTurns(true).build();
            read = Session.callOn(connection, ClientMethods.THREAD_READ.name(), TypedCodec.params(p),
                    Deadline.after(session.requestTimeout()));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Watchdog: thread/read of " + m.threadId() + " failed: " + e);
            return;
        }
        for (JsonNode turn : read.path("thread").path("turns")) {
            if (!m.turnId().equals(turn.path("id").asString(null))) {
                continue;
            }
            String status = turn.path("status").asString("");
            if (status.isEmpty() || status.equals(TurnStatus.IN_PROGRESS.value()) || m.terminalReceived()) {
                return;
            }
            ObjectNode params = ProtocolCodec.emptyObject();
            params.put("threadId", m.threadId());
            params.set("turn", turn);
            String line = ProtocolCodec.encode(
                    new JsonRpcMessage.Notification(ServerNotification.TurnCompleted.METHOD, params, null));
            if (m.settle(Inbound.of(line))) {
                LOG.log(Level.WARNING, "Turn " + m.turnId() + " of thread " + m.threadId() + " heard nothing for "
                        + silence.toSeconds() + " s and its turn/completed never came; the server says it ended ("
                        + status + "), so it was settled from thread/read");
            }
            return;
        }
    }
}
