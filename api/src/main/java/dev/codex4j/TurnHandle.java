package dev.codex4j;

import dev.codex4j.protocol.CodexException;
import dev.codex4j.protocol.InvalidRequestException;
import dev.codex4j.protocol.TransportClosedException;
import dev.codex4j.runtime.Inbound;
import dev.codex4j.runtime.TurnMailbox;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A running turn. Consume it once, either with {@link #run()} (the fold to a {@link RunResult})
 * or with {@link #events()} (every event, then {@code result()}); steer or interrupt it from any
 * thread meanwhile.
 *
 * <p>Its events sit in a mailbox of their own from the first notification on (even those that
 * beat the {@code turn/start} reply), so nothing is lost however late the consumer comes. Turns
 * on different threads are consumed concurrently from different (virtual) threads over one
 * connection; a slow consumer holds up only its own turn.
 *
 * <pre>{@code
 * TurnHandle turn = thread.turn("Refactor the parser");
 * turn.steer(Input.text("Keep the public API unchanged."));
 * RunResult result = turn.run();
 * }</pre>
 */
public final class TurnHandle implements AutoCloseable {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(10);

    private final CodexThread thread;
    private final String id;
    private final TurnMailbox mailbox;
    private final TurnOptions options;
    private final TurnFold fold;
    private static final int FREE = 0;
    private static final int CONSUMER = 1;
    private static final int PUMP = 2;
    /** Who reads the mailbox: nobody, the user's one consumer, or a brief non-blocking pump. */
    private final AtomicInteger reader = new AtomicInteger(FREE);
    private final ReentrantLock pumpLock = new ReentrantLock();
    private final ArrayDeque<TurnEvent> replay = new ArrayDeque<>();
    private volatile boolean completed;
    private volatile boolean timedOut;

    TurnHandle(CodexThread thread, String id, TurnMailbox mailbox, TurnOptions options, long startNanos) {
        this.thread = thread;
        this.id = id;
        this.mailbox = mailbox;
        this.options = options;
        this.fold = new TurnFold(id, startNanos);
    }

    /** @return the turn's id */
    public String id() {
        return id;
    }

    /** @return the thread's id */
    public String threadId() {
        return thread.id();
    }

    /** @return whether {@code turn/completed} has been seen */
    public boolean isCompleted() {
        return completed;
    }

    /**
     * Adds input to the running turn ({@code turn/steer}).
     *
     * @param input more input for the model
     * @throws dev.codex4j.protocol.CodexRpcException when the turn is no longer running
     */
    public void steer(List<Input> input) {
        ObjectNode p = Params.object();
        p.put("threadId", thread.id());
        p.put("expectedTurnId", id);
        p.set("input", Input.toJson(input));
        thread.codex().call("turn/steer", p);
    }

    /** @param input more input for the model */
    public void steer(Input input) {
        steer(List.of(input));
    }

    /** @param text more text for the model */
    public void steer(String text) {
        steer(Input.text(text));
    }

    /**
     * Asks the server to stop the turn ({@code turn/interrupt}). The turn then ends with status
     * {@code interrupted}, which {@link #run()} returns normally. Does nothing if it already ended.
     */
    public void interrupt() {
        if (completed) {
            return;
        }
        ObjectNode p = Params.object();
        p.put("threadId", thread.id());
        p.put("turnId", id);
        try {
            thread.codex().call("turn/interrupt", p);
        } catch (InvalidRequestException e) {
            if (!completed && !e.rpcMessage().contains("no active turn")) {
                throw e;
            }
        }
    }

    /**
     * Waits for the turn to end and returns its result.
     *
     * @return the result; status {@code completed} or {@code interrupted}
     * @throws TurnFailedException when the turn failed, with the server's error
     * @throws TurnTimeoutException when {@link TurnOptions#timeout()} passed (the turn was interrupted)
     * @throws TransportClosedException when the connection closed first
     * @throws IllegalStateException when another consumer is reading this turn
     */
    public RunResult run() {
        if (!completed) {
            acquire();
            try {
                while (next() instanceof TurnEvent e && !(e instanceof TurnEvent.Completed)) {
                    // the fold keeps what run() needs
                }
            } finally {
                reader.set(FREE);
            }
        }
        return resultOrThrow();
    }

    /** @return {@link #run()} on a virtual thread of its own */
    public CompletableFuture<RunResult> runAsync() {
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        Thread.ofVirtual().name("codex4j-run-" + id).start(() -> {
            try {
                f.complete(run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * The turn's events, ending with {@link TurnEvent.Completed}. A blocking, closeable stream
     * for one consumer; closing it early leaves the turn running (see {@link #interrupt()}).
     *
     * @return the events
     * @throws IllegalStateException when another consumer is reading this turn
     */
    public TurnEvents events() {
        acquire();
        return new TurnEvents(this);
    }

    /**
     * @return the result once the turn ended (a failed turn's result has status {@code failed})
     */
    public java.util.Optional<RunResult> result() {
        return java.util.Optional.ofNullable(fold.result());
    }

    /**
     * Leaving a try-with-resources block before the turn ended interrupts it (best effort, without
     * waiting); the thread takes a new turn once the server confirms the end. A completed turn's
     * close does nothing. Throws nothing.
     */
    @Override
    public void close() {
        if (!completed) {
            try {
                interrupt();
            } catch (RuntimeException e) {
                // closing must not throw; the connection may already be gone
            }
        }
    }

    void release() {
        reader.set(FREE);
    }

    private void acquire() {
        while (!reader.compareAndSet(FREE, CONSUMER)) {
            if (reader.get() == CONSUMER) {
                throw new IllegalStateException("turn " + id
                        + " already has a consumer: use either run() or events(), from one thread at a time");
            }
            Thread.onSpinWait();  // a pump holds it for a few non-blocking polls only
        }
    }

    private RunResult resultOrThrow() {
        RunResult r = Objects.requireNonNull(fold.result(), "no result");
        if (timedOut && !r.status().equals(TurnStatus.COMPLETED)) {
            throw new TurnTimeoutException(id, Objects.requireNonNull(options.timeout()));
        }
        if (r.status().equals(TurnStatus.FAILED)) {
            throw new TurnFailedException(r, r.error().orElse(new TurnError("turn failed", null, null,
                    Params.object())));
        }
        return r;
    }

    /**
     * The next event, or null after the last one. Honours the turn's timeout: when it passes,
     * asks the server to interrupt, waits a grace period, then throws.
     */
    @Nullable TurnEvent next() {
        long deadline = options.timeout() == null ? Long.MAX_VALUE : fold.startNanos() + options.timeout().toNanos();
        boolean interruptSent = false;
        while (true) {
            pumpLock.lock();
            try {
                if (!replay.isEmpty()) {
                    return replay.poll();
                }
                if (completed) {
                    return null;
                }
            } finally {
                pumpLock.unlock();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                if (interruptSent) {
                    throw new TurnTimeoutException(id, options.timeout());
                }
                interruptSent = true;
                timedOut = true;
                try {
                    interrupt();
                } catch (CodexException ignored) {
                    // the grace period below still bounds the wait
                }
                deadline = now + INTERRUPT_GRACE.toNanos();
            }
            Duration wait = deadline == Long.MAX_VALUE ? POLL
                    : Duration.ofNanos(Math.max(1, Math.min(POLL.toNanos(), deadline - now)));
            Inbound in;
            try {
                in = mailbox.take(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CodexException("Interrupted while waiting for turn " + id
                        + " (the turn goes on; call interrupt() to stop it)", e);
            } catch (TransportClosedException e) {
                thread.turnEnded(this);
                throw e;
            }
            if (in != null) {
                TurnEvent event = apply(in);
                if (event != null) {
                    return event;
                }
            }
        }
    }

    /**
     * Without blocking, folds whatever is in the mailbox into the replay queue, so that a thread
     * can tell whether a turn nobody consumed has ended. Returns whether the turn has completed.
     */
    boolean pumpIfIdle() {
        if (completed) {
            return true;
        }
        if (!reader.compareAndSet(FREE, PUMP)) {
            return completed;
        }
        try {
            Inbound in;
            while (!completed && (in = mailbox.poll()) != null) {
                TurnEvent e = apply(in);
                if (e != null) {
                    pumpLock.lock();
                    try {
                        replay.add(e);
                    } finally {
                        pumpLock.unlock();
                    }
                }
            }
            return completed;
        } finally {
            reader.set(FREE);
        }
    }

    private @Nullable TurnEvent apply(Inbound in) {
        TurnEvent event = fold.accept(in);
        if (event instanceof TurnEvent.Completed c) {
            completed = true;
            thread.turnEnded(this);
            mailbox.close();
        }
        return event;
    }

    TurnOptions options() {
        return options;
    }
}
