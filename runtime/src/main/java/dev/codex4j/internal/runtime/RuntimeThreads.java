package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread a connection starts, so that close() can interrupt and await them and tests can
 * check that none outlives it. Virtual threads do not show up in
 * {@code Thread.getAllStackTraces()}, hence the explicit registry.
 */
final class RuntimeThreads {
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();

    /** Starts a registered virtual thread. */
    Thread startVirtual(String name, Runnable task) {
        Thread t = Thread.ofVirtual().name(name).unstarted(registered(task));
        live.add(t);
        t.start();
        return t;
    }

    /** Starts a registered platform daemon thread. */
    Thread startPlatform(String name, Runnable task) {
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(registered(task));
        live.add(t);
        t.start();
        return t;
    }

    /** A factory of registered platform daemon threads named {@code name-N}. */
    ThreadFactory platformFactory(String name) {
        return task -> {
            Thread t = Thread.ofPlatform().daemon().name(name + "-" + counter.incrementAndGet())
                    .unstarted(registered(task));
            live.add(t);
            return t;
        };
    }

    private Runnable registered(Runnable task) {
        return () -> {
            try {
                task.run();
            } finally {
                live.remove(Thread.currentThread());
            }
        };
    }

    /** @return whether {@code t} is one of the registered threads */
    boolean isOurs(Thread t) {
        return live.contains(t);
    }

    /** @return the registered threads still alive */
    List<Thread> live() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : live) {
            if (t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Waits until every registered thread but {@code except} has ended.
     *
     * @return the threads still alive at the deadline
     */
    List<Thread> await(Duration max, Thread except) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        for (Thread t : List.copyOf(live)) {
            if (t == except) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
        List<Thread> survivors = live();
        survivors.remove(except);
        return survivors;
    }
}
