package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.Codex;
import dev.codex4j.Supervision;
import dev.codex4j.internal.runtime.RestartPolicy;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.errors.TransportClosedException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Owns a client's current {@link Link} and where the client stands ({@link Codex.State}). Without
 * supervision the first link is the only one. With it, a lost link starts the supervisor thread
 * ({@code codex4j-supervisor}), which backs off, opens a new link and installs it, or gives up
 * after the restart limit; callers of {@link #awaitLink} wait for it, bounded by their deadline.
 *
 * <p>One lock guards the writes of {@code link}, {@code state}, {@code supervisor}, {@code closing}
 * and {@code gaveUp}; {@code changed} is signalled at each change. The fields are volatile so that
 * readers take no lock. State listeners run after the lock is released.
 */
final class Supervisor {
    private static final System.Logger LOG = System.getLogger(Codex.class.getName());

    private final LinkOpener opener;
    private final @Nullable Supervision supervision;
    private final @Nullable RestartPolicy restarts;
    private final Duration requestTimeout;
    private final Duration closeTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CopyOnWriteArrayList<Runnable> stateListeners = new CopyOnWriteArrayList<>();
    /** The current link: replaced only by the supervisor thread, after a loss. */
    private volatile Link link;
    private volatile Codex.State state = Codex.State.CONNECTED;
    private volatile boolean closing;
    private volatile @Nullable TransportClosedException gaveUp;
    private volatile @Nullable TransportClosedException lastLoss;
    private volatile int restartCount;
    /** Guarded by {@code lock}. */
    private @Nullable Thread supervisor;

    /** Opens the first link (on the calling thread: a failure fails the build). */
    Supervisor(LinkOpener opener, CodexOptions options) {
        this.opener = opener;
        this.supervision = options.supervision();
        Supervision s = supervision;
        this.restarts = s == null ? null : RestartPolicy.of(s.initialBackoff(), s.maxBackoff(), s.maxRestarts(), s.window());
        this.requestTimeout = options.requestTimeout();
        this.closeTimeout = options.closeTimeout();
        this.link = opener.open(0);
        if (supervision != null) {
            watch(link);
        }
    }

    /** @return the current link (its connection may be a lost one, until the supervisor replaces it) */
    Link current() {
        return link;
    }

    boolean isSupervised() {
        return supervision != null;
    }

    /** @return the last loss, for messages */
    @Nullable TransportClosedException lastLoss() {
        return lastLoss;
    }

    int restarts() {
        return restartCount;
    }

    Codex.State state() {
        if (closing) {
            return Codex.State.CLOSED;
        }
        Codex.State s = state;
        if (s == Codex.State.CONNECTED && !link.connection.isOpen()) {
            return supervision == null ? Codex.State.CLOSED : Codex.State.RECONNECTING; // the supervisor is about to start
        }
        return s;
    }

    /** The fleet: runs {@code listener} (short, non-blocking) after each change of {@link #state()}. */
    void onStateChange(Runnable listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void watch(Link l) {
        l.connection.onClose(why -> lost(l, why));
    }

    /** A connection's close listener: starts the supervisor unless the client is closing. */
    private void lost(Link l, TransportClosedException why) {
        lock.lock();
        try {
            if (closing || link != l || state != Codex.State.CONNECTED) {
                return;
            }
            state = Codex.State.RECONNECTING;
            lastLoss = why;
            LOG.log(Level.WARNING, "The app-server was lost (" + why.getMessage() + "); restarting it");
            supervisor = Thread.ofVirtual().name("codex4j-supervisor").start(() -> restart(l, why));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireStateChange();
    }

    /** The supervisor thread: backoff, open, install; or give up. Ends when the client closes. */
    private void restart(Link old, TransportClosedException why) {
        RestartPolicy policy = Objects.requireNonNull(restarts);
        old.connection.close(); // its waiters failed already; this joins its threads
        RuntimeException last = why;
        while (!closing) {
            long delay = policy.nextDelayNanos();
            if (delay < 0) {
                giveUp(policy, last);
                return;
            }
            if (!sleepUnlessClosing(Deadline.after(Duration.ofNanos(delay)))) {
                return;
            }
            Link next;
            try {
                next = opener.open(old.generation + 1);
            } catch (RuntimeException e) {
                if (closing) {
                    return;
                }
                last = e;
                LOG.log(Level.WARNING, "Restarting the app-server failed: " + e.getMessage());
                continue;
            }
            lock.lock();
            try {
                if (closing) {
                    next.connection.close();
                    return;
                }
                link = next;
                state = Codex.State.CONNECTED;
                restartCount++;
                policy.connected();
                watch(next);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.log(Level.INFO, "The app-server is back (" + next.connection.describe() + ")");
            fireStateChange();
            return;
        }
    }

    /** @return false when the client closed meanwhile */
    private boolean sleepUnlessClosing(Deadline until) {
        lock.lock();
        try {
            while (!closing && !until.isExpired()) {
                changed.awaitNanos(until.remainingNanos());
            }
            return !closing;
        } catch (InterruptedException e) {
            return false; // only close() interrupts the supervisor
        } finally {
            lock.unlock();
        }
    }

    private void giveUp(RestartPolicy policy, RuntimeException last) {
        TransportClosedException t = last instanceof TransportClosedException tc ? tc : null;
        TransportClosedException why = new TransportClosedException("The app-server was lost and the client gave up"
                + " restarting it after " + policy.describeLimit() + "; the last failure: " + last.getMessage(),
                t == null ? null : t.exitCode().isPresent() ? t.exitCode().getAsInt() : null,
                t == null ? "" : t.stderrTail(), last);
        lock.lock();
        try {
            gaveUp = why;
            state = Codex.State.CLOSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.ERROR, why.getMessage());
        fireStateChange();
    }

    void fireStateChange() {
        assert !lock.isHeldByCurrentThread() : "state listeners run after the supervisor's lock is released";
        for (Runnable r : stateListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A state listener failed", e);
            }
        }
    }

    /**
     * The link to send on: the current one while its connection is open; while the supervisor
     * restarts, waits for the next one until {@code deadline}.
     *
     * @throws ServerLostException (retry-safe: nothing was sent) when no server came back in time
     * @throws TransportClosedException when the client is closed or gave up
     */
    Link awaitLink(Deadline deadline) {
        Link l = link;
        if (supervision == null || l.connection.isOpen()) {
            return l;
        }
        lock.lock();
        try {
            while (true) {
                l = link;
                if (l.connection.isOpen()) {
                    return l;
                }
                if (closing) {
                    return l; // its connection says it was closed by the client
                }
                TransportClosedException g = gaveUp;
                if (g != null) {
                    throw new TransportClosedException(g.getMessage(), g.exitCode().isPresent()
                            ? g.exitCode().getAsInt() : null, g.stderrTail(), g);
                }
                if (deadline.isExpired()) {
                    TransportClosedException loss = lastLoss;
                    throw new ServerLostException("The app-server was lost and is being restarted; it was not back"
                            + " within the request timeout (" + requestTimeout + ")" + (loss == null ? ""
                            : ": " + loss.getMessage()), null, loss == null ? "" : loss.stderrTail(), true, loss);
                }
                changed.awaitNanos(deadline.remainingNanos());
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("the app-server to be restarted", e);
        } finally {
            lock.unlock();
        }
    }

    /** Stops restarting (also during a backoff), closes the link; idempotent. The caller then {@link #fireStateChange()}s. */
    void close() {
        Thread s;
        lock.lock();
        try {
            closing = true;
            state = Codex.State.CLOSED;
            changed.signalAll();
            s = supervisor;
        } finally {
            lock.unlock();
        }
        if (s != null && s != Thread.currentThread()) {
            s.interrupt();
            Waits.joinAll(List.of(s), Waits.closeBound(closeTimeout), "the supervisor", LOG);
        }
        link.connection.close();
    }

    boolean isClosing() {
        return closing;
    }
}
