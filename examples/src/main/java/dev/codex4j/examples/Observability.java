package dev.codex4j.examples;

import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.Subscription;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Observing a client: an event listener that counts requests and prints each turn's status,
 * duration and token usage; a thread subscription that prints the thread's status changes and
 * token usage; a global one for rate limits. Run it with
 * {@code -XX:StartFlightRecording:filename=codex4j.jfr} to record the SDK's JFR events too.
 */
public final class Observability {
    private Observability() {}

    /** @param args unused */
    public static void main(String[] args) {
        LongAdder requests = new LongAdder();
        CodexEventListener listener = new CodexEventListener() {
            @Override
            public void requestEnded(RequestEnded e) {
                requests.increment();
            }

            @Override
            public void turnCompleted(TurnCompleted e) {
                RunResult r = e.result();
                System.out.println("[listener] turn " + r.turnId() + " " + r.status() + " in " + r.durationMs() + " ms, "
                        + r.usage().map(u -> u.total().totalTokens() + " tokens").orElse("no usage"));
            }
        };
        try (ExampleSession session = ExampleSession.open(model -> {
            model.enqueue(ModelReply.message("First answer."));
            model.enqueue(ModelReply.message("Second answer."));
        }, b -> b.eventListener(listener))) {
            try (Subscription limits = session.codex().subscribe(n -> {
                if (n instanceof ServerNotification.AccountRateLimitsUpdated) {
                    System.out.println("[global] rate limits updated");
                }
            })) {
                CodexThread thread = session.codex().startThread();
                try (Subscription s = thread.subscribe(n -> {
                    switch (n) {
                        case ServerNotification.ThreadStatusChanged c ->
                                System.out.println("[thread] status " + c.params().status());
                        case ServerNotification.ThreadTokenUsageUpdated u ->
                                System.out.println("[thread] total tokens " + u.params().tokenUsage().total().totalTokens());
                        default -> { }
                    }
                })) {
                    System.out.println(thread.run("Say something").finalResponse().orElse("(no answer)"));
                    System.out.println(thread.run("Say something else").finalResponse().orElse("(no answer)"));
                }
            }
            System.out.println(requests.sum() + " requests answered");
        }
    }
}
