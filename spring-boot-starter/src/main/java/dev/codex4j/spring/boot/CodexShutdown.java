package dev.codex4j.spring.boot;

import dev.codex4j.CodexClient;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown of the starter's client with the application context: when the context
 * closes, the client takes no new turns, the turns in flight may finish for
 * {@code codex.shutdown.grace}, then it closes and ends those still running
 * ({@link CodexClient#shutdown}).
 *
 * <p>Its phase is above the web server's graceful shutdown, so the client stops taking turns
 * first and the web server then waits for the requests that still run. Spring calls
 * {@link #stop(Runnable)} on its closing thread; the wait runs on a virtual thread of its own,
 * which calls back when the client is closed.
 */
public final class CodexShutdown implements SmartLifecycle {
    private static final System.Logger LOG = System.getLogger(CodexShutdown.class.getName());

    private final CodexClient client;
    private final Duration grace;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param client the client to shut down
     * @param grace how long turns in flight may still run
     */
    public CodexShutdown(CodexClient client, Duration grace) {
        this.client = client;
        this.grace = grace;
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        shutdown();
    }

    @Override
    public void stop(Runnable callback) {
        Thread.ofVirtual().name("codex4j-shutdown").start(() -> {
            try {
                shutdown();
            } finally {
                callback.run();
            }
        });
    }

    private void shutdown() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        boolean clean = client.shutdown(grace);
        if (!clean) {
            LOG.log(Level.WARNING, "codex4j: turns still ran after the shutdown grace period (" + grace
                    + ", codex.shutdown.grace); the client closed and ended them");
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    /** Above the web server's graceful shutdown (DEFAULT_PHASE - 1024): stops first. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 512;
    }
}
