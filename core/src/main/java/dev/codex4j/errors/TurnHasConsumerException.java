package dev.codex4j.errors;

/**
 * A second consumer asked for a turn's events while another one reads them: a turn has one
 * consumer at a time ({@code run()}, {@code events()} or one subscriber of its
 * {@code publisher()}). Delivered through {@code onError} to a second subscriber of a turn's
 * {@link java.util.concurrent.Flow.Publisher}.
 *
 * <pre>{@code
 * turn.publisher().subscribe(first);
 * turn.publisher().subscribe(second); // second.onError(TurnHasConsumerException)
 * }</pre>
 */
public class TurnHasConsumerException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String turnId;

    /** @param turnId the turn */
    public TurnHasConsumerException(String turnId) {
        super("turn " + turnId + " already has a consumer (run(), events() or a subscriber of its publisher):"
                + " a turn has one consumer at a time; to fan its events out, subscribe once and multicast"
                + " (for example Reactor's Flux.publish())");
        this.turnId = turnId;
    }

    /** @return the turn */
    public String turnId() {
        return turnId;
    }
}
