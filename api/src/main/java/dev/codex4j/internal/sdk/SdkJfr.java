package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.RunResult;
import java.time.Duration;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's JDK Flight Recorder events (the runtime has {@code dev.codex4j.Request} and
 * {@code dev.codex4j.Dispatcher}), written by {@link #SINK}, the {@link Observer}'s JFR sink. It
 * creates an event only while a recording wants it, so it costs nothing otherwise.
 */
public final class SdkJfr {
    private SdkJfr() {}

    /** Flight Recorder as one of the {@link Observer}'s sinks: a turn and a server request are one event each. */
    static final Observer.Sink SINK = new Observer.Sink() {
        /**
         * One probe event, made once Flight Recorder has started: {@code isEnabled()} reads a flag
         * the recorder sets. Until then no event class is loaded (the JDK instruments each on its
         * first load with its class-file API: about 200 classes at start-up, issue 24).
         */
        private volatile @Nullable ServerRequest probe;

        @Override
        public boolean isEnabled() {
            if (!FlightRecorder.isInitialized()) {
                return false;
            }
            ServerRequest p = probe;
            if (p == null) {
                probe = p = new ServerRequest();
            }
            return p.isEnabled();
        }

        @Override
        public @Nullable Object turnStarting() {
            if (!FlightRecorder.isInitialized()) {
                return null;
            }
            Turn e = new Turn();
            if (!e.isEnabled()) {
                return null;
            }
            e.begin();
            return e;
        }

        @Override
        public void turnCompleted(@Nullable Object state, String threadId, @Nullable String model, RunResult r) {
            if (!(state instanceof Turn e)) {
                return;
            }
            e.end();
            if (e.shouldCommit()) {
                e.threadId = threadId;
                e.turnId = r.turnId();
                e.status = r.status().value();
                e.items = r.items().size();
                r.usage().ifPresent(u -> {
                    e.inputTokens = u.total().inputTokens();
                    e.outputTokens = u.total().outputTokens();
                });
                e.commit();
            }
        }

        @Override
        public @Nullable Object serverRequestReceived(ApprovalRequest request) {
            if (!FlightRecorder.isInitialized()) {
                return null;
            }
            ServerRequest e = new ServerRequest();
            if (!e.isEnabled()) {
                return null;
            }
            e.begin();
            return e;
        }

        @Override
        public void serverRequestAnswered(@Nullable Object state, ApprovalRequest request, String decision,
                Duration latency) {
            if (!(state instanceof ServerRequest e)) {
                return;
            }
            e.end();
            if (e.shouldCommit()) {
                e.method = request.method();
                e.threadId = request.threadId();
                e.decision = decision;
                e.commit();
            }
        }
    };

    /** A turn, from {@code turn/start} to the fold of its {@code turn/completed}. */
    @Name("dev.codex4j.Turn")
    @Label("Codex Turn")
    @Category({"Codex", "codex4j"})
    @Description("A turn, from turn/start to its turn/completed as its consumer folded it")
    @StackTrace(false)
    public static final class Turn extends Event {
        /** The thread. */
        @Label("Thread Id")
        public String threadId;

        /** The turn. */
        @Label("Turn Id")
        public String turnId;

        /** completed, interrupted or failed. */
        @Label("Status")
        public String status;

        /** Input tokens of the thread so far (-1 when not reported). */
        @Label("Total Input Tokens")
        public long inputTokens = -1;

        /** Output tokens of the thread so far (-1 when not reported). */
        @Label("Total Output Tokens")
        public long outputTokens = -1;

        /** Items the turn completed. */
        @Label("Items")
        public int items;
    }

    /** A request from the server (approval, tool call, question), from arrival to reply. */
    @Name("dev.codex4j.ServerRequest")
    @Label("Codex Server Request")
    @Category({"Codex", "codex4j"})
    @Description("A request from the app-server (approval, tool call, user input), from its arrival to the reply")
    @StackTrace(false)
    public static final class ServerRequest extends Event {
        /** The method. */
        @Label("Method")
        public String method;

        /** The thread, if named. */
        @Label("Thread Id")
        public String threadId;

        /** The decision sent, or "error code". */
        @Label("Decision")
        public String decision;
    }
}
