package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.GoalEventStream;
import dev.codex4j.GoalResult;
import dev.codex4j.GoalRun;
import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;

/**
 * A thread goal as one run: the server runs continuation turns by itself until the goal is no
 * longer active (here: its token budget, which the server enforces between turns); the run holds
 * every turn with its usage, and its event stream shows each turn as it runs.
 */
public final class Goals {
    private Goals() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> {
            for (int i = 1; i <= 6; i++) {
                model.enqueue(ModelReply.message("Step " + i + " done.").usage(new ModelReply.Usage(1000, 0, 1, 0)));
            }
        }, b -> b.experimentalApi(true))) { // thread/goal/set is experimental
            CodexThread thread = session.codex().startThread();
            try (GoalRun run = thread.startGoal("Work through the checklist", 2500L);
                    GoalEventStream events = run.events()) {
                for (TurnEvent e : events) { // every continuation turn's events, in order, until the run ends
                    if (e instanceof TurnEvent.Notification n && n.notification() instanceof ServerNotification.TurnStarted) {
                        System.out.print("turn " + events.turnId() + " started: ");
                    } else if (e instanceof TurnEvent.AgentMessageDelta d) {
                        System.out.print(d.delta());
                    } else if (e instanceof TurnEvent.Completed c) {
                        System.out.println(" (" + c.result().status() + ")");
                    }
                }
                GoalResult result = run.await(Duration.ofMinutes(5)); // ended already: the result at once
                for (RunResult turn : result.turns()) {
                    System.out.println(turn.turnId() + " " + turn.status() + " " + turn.turnUsage().orElseThrow().totalTokens()
                            + " tokens: " + turn.finalResponse().orElse(""));
                }
                System.out.println("goal " + result.goal().status() + ", " + result.goal().tokensUsed()
                        + " tokens used; last answer: " + result.finalResponse().orElse("-"));
            }
            thread.clearGoal();
        }
    }
}
