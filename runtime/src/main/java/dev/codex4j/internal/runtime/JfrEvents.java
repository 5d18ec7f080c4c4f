package dev.codex4j.internal.runtime;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The runtime's JDK Flight Recorder events. Each site creates its event and checks
 * {@code isEnabled()} first: while no recording asks for the event, that is a constant the JIT
 * folds, and the allocation is removed with it, so the events cost nothing when JFR is off.
 *
 * <pre>{@code
 * java -XX:StartFlightRecording:filename=run.jfr ... ; jfr print --events dev.codex4j.Request run.jfr
 * }</pre>
 */
final class JfrEvents {
    private JfrEvents() {}

    /**
     * Whether Flight Recorder has started in this JVM ({@code -XX:StartFlightRecording}, a
     * {@code jcmd JFR.start}, a {@code Recording}). Until it has, no event class is touched: the
     * first load of a {@link Event} subclass makes the JDK instrument it with its class-file API
     * (about 200 classes and tens of milliseconds at start-up, issue 24). A static read.
     *
     * @return whether events may be recorded
     */
    static boolean recorderStarted() {
        return FlightRecorder.isInitialized();
    }

    /** A JSON-RPC request from the client: its duration is from send to settle. */
    @Name("dev.codex4j.Request")
    @Label("Codex Request")
    @Category({"Codex", "codex4j"})
    @Description("A JSON-RPC request to the app-server, from send to reply (retries included)")
    @StackTrace(false)
    static final class Request extends Event {
        @Label("Method")
        String method;

        @Label("Outcome")
        @Description("ok, error <code>, timeout, closed or cancelled")
        String outcome;

        @Label("Retries")
        int retries;
    }

    /** One read batch the dispatcher routed. */
    @Name("dev.codex4j.Dispatcher")
    @Label("Codex Dispatcher Batch")
    @Category({"Codex", "codex4j"})
    @Description("One batch of lines the dispatcher read and routed, with one round of consumer wake-ups")
    @StackTrace(false)
    static final class DispatcherBatch extends Event {
        @Label("Lines")
        int lines;

        @Label("Bytes")
        @DataAmount
        long bytes;

        @Label("Wake-ups")
        int wakeups;

        @Label("Lag")
        @Description("From the batch's first read to its consumers being woken")
        @Timespan(Timespan.NANOSECONDS)
        long lag;
    }
}
