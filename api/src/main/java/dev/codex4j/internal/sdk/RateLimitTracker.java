package dev.codex4j.internal.sdk;

import dev.codex4j.errors.RateLimitedException;
import dev.codex4j.protocol.types.RateLimitSnapshot;
import dev.codex4j.protocol.types.RateLimitWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The account's rate limits as one client last heard of them ({@code account/rateLimits/updated},
 * {@code account/rateLimits/read}), and until when a used-up limit blocks new turns. Written by the
 * link's global-notification listener (one virtual thread per link) and by callers of
 * {@code Codex.readRateLimits()}; read by turn starters and by a turn's consumer when it failed on a
 * limit. Thread-safe: volatile fields and a concurrent map; the lock only orders the waits for the
 * next update.
 */
public final class RateLimitTracker {
    private volatile @Nullable RateLimitSnapshot last;
    /** Per limit id ("codex", ...): until when its used-up window blocks turns. */
    private final Map<String, Instant> blocked = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition updated = lock.newCondition();
    private long updates;

    /** @return the last snapshot heard of, or null */
    public @Nullable RateLimitSnapshot last() {
        return last;
    }

    /** A snapshot arrived: remembered, and its used-up windows block turns until they reset. */
    public void update(RateLimitSnapshot s) {
        last = s;
        String id = Objects.requireNonNullElse(s.limitId(), "");
        Instant reset = resetOfUsedUp(s);
        if (reset == null) {
            blocked.remove(id);
        } else {
            blocked.put(id, reset);
        }
        lock.lock();
        try {
            updates++;
            updated.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param s a snapshot
     * @return the latest {@code resetsAt} of its windows that are used up (100% or more), or null
     */
    public static @Nullable Instant resetOfUsedUp(RateLimitSnapshot s) {
        Instant a = resetOfUsedUp(s.primary());
        Instant b = resetOfUsedUp(s.secondary());
        return a == null ? b : b == null ? a : (a.isAfter(b) ? a : b);
    }

    private static @Nullable Instant resetOfUsedUp(@Nullable RateLimitWindow w) {
        if (w == null || w.usedPercent() < 100 || w.resetsAt() == null) {
            return null;
        }
        return Instant.ofEpochSecond(w.resetsAt());
    }

    /** @return until when a used-up limit blocks turns (the latest of all limits), or null when none does now */
    public @Nullable Instant blockedUntil() {
        Instant now = Instant.now();
        Instant until = null;
        for (Instant i : blocked.values()) {
            if (i.isAfter(now) && (until == null || i.isAfter(until))) {
                until = i;
            }
        }
        return until;
    }

    /**
     * A turn failed on a limit: the snapshot the server sent just before may still be on its way to
     * the listener (another thread), so this waits for it, bounded, when nothing blocks yet.
     *
     * @param patience the longest wait
     * @return the snapshot then, or null
     */
    public @Nullable RateLimitSnapshot afterLimitFailure(Duration patience) {
        if (blockedUntil() != null) {
            return last;
        }
        long deadline = System.nanoTime() + patience.toNanos();
        lock.lock();
        try {
            long seen = updates;
            for (long left = patience.toNanos(); updates == seen && left > 0; left = deadline - System.nanoTime()) {
                updated.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return last;
    }

    /**
     * The opt-in policy before a turn is started: when a used-up limit blocks turns, waits for its
     * reset if that is at most {@code maxWait} away, else refuses the turn. Does nothing when
     * {@code maxWait} is zero (the policy is off) or nothing blocks.
     *
     * @param maxWait the longest wait (zero: off)
     * @throws RateLimitedException when the reset is further away than {@code maxWait}
     * @throws dev.codex4j.errors.CodexException when the calling thread is interrupted while waiting
     */
    public void beforeTurn(Duration maxWait) {
        if (maxWait.isZero()) {
            return;
        }
        Instant until = blockedUntil();
        if (until == null) {
            return;
        }
        Duration wait = Duration.between(Instant.now(), until);
        if (wait.compareTo(maxWait) > 0) {
            throw new RateLimitedException(until, maxWait);
        }
        try {
            if (!wait.isNegative()) {
                Thread.sleep(wait);
            }
        } catch (InterruptedException e) {
            throw Waits.interrupted("the account's usage limit to reset at " + until, e);
        }
    }
}
