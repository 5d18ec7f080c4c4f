package dev.codex4j.bench;

import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.MpscParkingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hand-off from the dispatcher to a turn's consumer, in nanoseconds per message: the JMH
 * thread plays the dispatcher and offers a burst of messages; one virtual thread, parked while
 * its queue is empty, takes them; an invocation ends when the consumer has taken the whole
 * burst. With bursts of 16 the consumer parks and is woken for nearly every burst; with 1,024 the
 * steady-state hand-off dominates.
 *
 * <p>{@code mpscParking} is the runtime's own {@code MpscParkingQueue} (JCTools' MPSC unbounded
 * array queue plus a published waiter), the queue under every {@code TurnMailbox};
 * {@code linkedBlocking} is the simple alternative, {@link LinkedBlockingQueue#take()}.
 *
 * <pre>{@code
 * scripts/bench MailboxHandoffBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MailboxHandoffBenchmark {
    /** The queue under test. */
    @Param({"mpscParking", "linkedBlocking"})
    public String queue;

    private static final Inbound MESSAGE = Inbound.of(
            "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\",\"delta\":\"x\"}}");

    private final AtomicLong consumed = new AtomicLong();
    private long offered;
    private volatile boolean stop;
    private MpscParkingQueue<Inbound> mpsc = new MpscParkingQueue<>();
    private LinkedBlockingQueue<Inbound> lbq = new LinkedBlockingQueue<>();
    private Thread consumer;

    /** Starts the consumer, parked on an empty queue. */
    @Setup(Level.Trial)
    public void start() {
        mpsc = new MpscParkingQueue<>();
        lbq = new LinkedBlockingQueue<>();
        consumed.set(0);
        offered = 0;
        stop = false;
        consumer = Thread.ofVirtual().name("bench-consumer").start(
                "mpscParking".equals(queue) ? this::consumeMpsc : this::consumeLinked);
    }

    private void consumeMpsc() {
        long n = 0;
        try {
            while (mpsc.await(Long.MAX_VALUE, () -> stop) != null) {
                consumed.setRelease(++n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void consumeLinked() {
        long n = 0;
        try {
            while (!stop) {
                lbq.take();
                consumed.setRelease(++n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the consumer. */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        stop = true;
        mpsc.signal();
        consumer.interrupt();
        consumer.join(5_000);
        if (consumer.isAlive()) {
            throw new IllegalStateException("the consumer did not stop");
        }
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public long burst16() {
        return handOff(16);
    }

    @Benchmark
    @OperationsPerInvocation(1024)
    public long burst1024() {
        return handOff(1024);
    }

    private long handOff(int burst) {
        boolean jctools = "mpscParking".equals(queue);
        for (int i = 0; i < burst; i++) {
            if (jctools) {
                mpsc.offer(MESSAGE);
            } else {
                lbq.offer(MESSAGE);
            }
        }
        long target = offered += burst;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (consumed.getAcquire() < target) {
            Thread.onSpinWait();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the consumer took " + consumed.get() + " of " + target);
            }
        }
        return target;
    }
}
