package dev.codex4j.examples;

import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.testkit.ModelReply;

/** Streams a turn's events as they arrive: text deltas, items, token usage, completion. */
public final class Streaming {
    private Streaming() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(
                ModelReply.reasoning("The user wants a haiku about queues.")
                        .thenMessage("Messages wait in line / a consumer wakes and reads / nothing is lost here")
                        .deltas(12)));
                TurnEventStream events = session.codex().startThread().turn("Write a haiku about queues").events()) {
            for (TurnEvent event : events) {
                switch (event) {
                    case TurnEvent.AgentMessageDelta d -> System.out.print(d.delta());
                    case TurnEvent.ReasoningDelta r -> System.out.println("(thinking: " + r.delta() + ")");
                    case TurnEvent.ItemCompleted(ThreadItem.AgentMessage m) -> System.out.println("\n[message: " + m.phase() + "]");
                    case TurnEvent.ItemCompleted(ThreadItem.Reasoning r) -> System.out.println("[reasoning: " + r.summary() + "]");
                    case TurnEvent.ItemCompleted i -> System.out.println("\n[item completed: " + i.item().getClass().getSimpleName() + "]");
                    case TurnEvent.TokenUsage u -> System.out.println("[tokens: " + u.usage().last().totalTokens() + "]");
                    case TurnEvent.Completed c -> System.out.println("[turn " + c.result().status() + "]");
                    default -> { }
                }
            }
        }
    }
}
