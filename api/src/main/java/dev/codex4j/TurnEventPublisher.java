package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.errors.TurnHasConsumerException;
import dev.codex4j.internal.sdk.FlowEmitter;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.Objects;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * A turn's events as a {@link Flow.Publisher} (JDK {@code Flow}, the Reactive Streams interfaces;
 * adapt it with {@code org.reactivestreams.FlowAdapters} or Reactor's {@code JdkFlowAdapter}).
 * The same events as {@link TurnHandle#events()}, ending with {@link TurnEvent.Completed}, then
 * {@code onComplete}. It passes the Reactive Streams TCK.
 *
 * <ul>
 *   <li><b>One subscriber.</b> A turn has one consumer at a time, and the subscriber is that
 *       consumer: a second subscriber (or one that comes while {@code run()} or {@code events()}
 *       reads the turn) gets {@code onSubscribe} then {@code onError} with a
 *       {@link TurnHasConsumerException}. To fan the events out, multicast them yourself (Reactor's
 *       {@code publish()}/{@code share()}). A subscriber that comes after the turn was consumed to
 *       its end gets {@code onComplete} alone.
 *   <li><b>Backpressure.</b> An event is taken from the turn only when the subscriber has requested
 *       one, and never more than requested. Events not yet requested wait in the turn's mailbox;
 *       while the subscriber has no demand they count against the client's unconsumed-events
 *       budget ({@link CodexBuilder}), and past it the turn is discarded: the subscriber gets
 *       {@code onError} with a {@link dev.codex4j.errors.TurnDiscardedException} (a typed error,
 *       never a silent drop).
 *   <li><b>Errors.</b> A failed turn ends with {@code onError(TurnFailedException)} in place of its
 *       {@code Completed} event (the exception carries the result); the turn's timeout
 *       ({@link TurnOptions}, enforced while the subscriber has demand) gives
 *       {@link dev.codex4j.errors.TurnTimeoutException}, a lost connection
 *       {@link TransportClosedException}. A non-positive {@code request(n)} gives
 *       {@link IllegalArgumentException} (rule 3.9).
 *   <li><b>Cancelling interrupts the turn.</b> {@code cancel()} before the turn ended sends
 *       {@code turn/interrupt} (in the background, retried like {@link TurnHandle#interrupt()}),
 *       stops the subscriber's thread and gives up the consumer role; nothing more is signalled. A
 *       {@code take(n)} downstream of this publisher therefore stops the turn.
 * </ul>
 *
 * <p><b>Threads.</b> Every signal ({@code onSubscribe}, {@code onNext}, {@code onComplete},
 * {@code onError}) comes from one virtual thread of the subscription's own, started by
 * {@link #subscribe} and owned by the client's connection (closing the client ends it): never the
 * dispatcher nor the caller of {@code subscribe}. A slow subscriber holds up only this turn.
 * {@code request} and {@code cancel} may be called from any thread, including from inside
 * {@code onNext}.
 *
 * <pre>{@code
 * TurnHandle turn = thread.turn("Tell a story");
 * Flux.from(JdkFlowAdapter.flowPublisherToFlux(turn.publisher()))
 *     .ofType(TurnEvent.AgentMessageDelta.class)
 *     .map(TurnEvent.AgentMessageDelta::delta)
 *     .take(100)                       // cancels after 100 deltas: the turn is interrupted
 *     .doOnNext(System.out::print)
 *     .blockLast();
 * }</pre>
 */
public final class TurnEventPublisher implements Flow.Publisher<TurnEvent> {
    private final TurnHandle turn;
    private final java.time.Duration maxDelay;

    TurnEventPublisher(TurnHandle turn, java.time.Duration maxDelay) {
        this.turn = Objects.requireNonNull(turn, "turn");
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
    }

    /** @return the turn whose events this publishes */
    public TurnHandle turn() {
        return turn;
    }

    /**
     * @return the subscriber's latency budget ({@link TurnHandle#publisher(java.time.Duration)}):
     *     how long an event may wait beyond the dispatcher's window before it is signalled
     */
    public java.time.Duration maxDelay() {
        return maxDelay;
    }

    /**
     * Subscribes: {@code onSubscribe} and every later signal come on a virtual thread of this
     * subscription's own.
     *
     * @param subscriber the subscriber
     * @throws NullPointerException when {@code subscriber} is null (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super TurnEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        TurnEventStream events;
        try {
            events = turn.events(maxDelay);
        } catch (IllegalStateException e) {
            reject(subscriber, new TurnHasConsumerException(turn.id()));
            return;
        } catch (CodexException e) {
            reject(subscriber, e);
            return;
        }
        new FlowEmitter<>(subscriber, new Events(turn, events, maxDelay)).startOn(turn.connection(), "codex4j-flow-turn-" + turn.id());
    }

    private void reject(Flow.Subscriber<? super TurnEvent> subscriber, Throwable error) {
        FlowEmitter.refuse(subscriber, error, "codex4j-flow-turn-" + turn.id());
    }

    /** The turn as a source: pulls from the consumer role taken with {@link TurnHandle#events()}. */
    private static final class Events implements FlowEmitter.Source<TurnEvent> {
        private final TurnHandle turn;
        private final TurnEventStream events;
        private final java.time.Duration maxDelay;

        Events(TurnHandle turn, TurnEventStream events, java.time.Duration maxDelay) {
            this.turn = turn;
            this.events = events;
            this.maxDelay = maxDelay;
        }

        @Override
        public @Nullable TurnEvent next() {
            TurnEvent e = turn.next();
            if (e instanceof TurnEvent.Completed c && c.result().status().equals(TurnStatus.FAILED)) {
                throw turn.failure(c.result());
            }
            return e;
        }

        @Override
        public boolean isLast(TurnEvent item) {
            return item instanceof TurnEvent.Completed;
        }

        @Override
        public boolean atEnd() {
            return turn.result().isPresent();
        }

        @Override
        public void idle() {
            turn.pause();
        }

        @Override
        public void busy() {
            turn.resume(maxDelay);
        }

        @Override
        public void cancelled() {
            turn.interruptInBackground();
        }

        @Override
        public void close() {
            events.close();
        }
    }
}
