package dev.codex4j;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.sdk.FlowEmitter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * A goal run's events as a {@link Flow.Publisher} ({@link GoalRun#publisher(Duration)}): the same
 * events as {@link GoalRun#events()}, pulled through a {@link FlowEmitter} from the run's one reader
 * role. One subscriber (a second, or one that comes after the run's events stopped being kept, gets
 * {@code onSubscribe} then {@code onError(IllegalStateException)}); an event is taken from the run
 * only on demand (the run keeps the rest); {@code onComplete} when the run ends; cancelling stops
 * reading (the run goes on, and keeps no more events). Every signal comes on a virtual thread of
 * the subscription's own, owned by the run's connection. It passes the Reactive Streams TCK
 * ({@code GoalPublisherTckTest}).
 */
final class GoalEventPublisher implements Flow.Publisher<TurnEvent> {
    private final GoalRun run;
    private final Connection connection;
    private final String threadId;
    private final Duration maxDelay;

    GoalEventPublisher(GoalRun run, Connection connection, String threadId, Duration maxDelay) {
        this.run = run;
        this.connection = connection;
        this.threadId = threadId;
        this.maxDelay = maxDelay;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super TurnEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        String name = "codex4j-flow-goal-" + threadId;
        GoalEventStream events;
        try {
            events = run.events(maxDelay);
        } catch (RuntimeException e) {
            FlowEmitter.refuse(subscriber, e, name);
            return;
        }
        new FlowEmitter<>(subscriber, new FlowEmitter.Source<TurnEvent>() {
            @Override
            public @Nullable TurnEvent next() {
                GoalRun.Entry e = run.next(events);
                return e == null ? null : e.event();
            }

            @Override
            public void close() {
                events.close();
            }
        }).startOn(connection, name);
    }
}
