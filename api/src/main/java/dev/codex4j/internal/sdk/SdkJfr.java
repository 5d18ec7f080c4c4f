package dev.codex4j.internal.sdk;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The SDK's JDK Flight Recorder events (the runtime has {@code dev.codex4j.Request} and
 * {@code dev.codex4j.Dispatcher}). Sites create the event and check {@code isEnabled()} first, so
 * they cost nothing while no recording wants them.
 */
public final class SdkJfr {
    private SdkJfr() {}

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
