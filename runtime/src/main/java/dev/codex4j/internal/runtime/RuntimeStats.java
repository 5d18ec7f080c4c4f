package dev.codex4j.internal.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what a connection did, for operators and benchmarks. Written by the thread that
 * does each thing (the dispatcher for reads and routing), read by anyone; {@link #snapshot()}
 * copies them.
 */
public final class RuntimeStats {
    final LongAdder lines = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder wakeups = new LongAdder();
    final LongAdder badLines = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder turnsDiscarded = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder serverRequests = new LongAdder();
    final LongAdder handlerFailures = new LongAdder();
    /**
     * The dispatcher's lag in its last read batch: from the batch's first read to the end of its
     * wake-ups, in nanoseconds (0 before the first batch). Written by the dispatcher alone, once per
     * batch (a plain volatile store: no allocation, no contention); read by gauges.
     */
    volatile long lastBatchLagNanos;

    RuntimeStats() {}

    /**
     * What the counters said at one moment.
     *
     * @param lines lines read from the server
     * @param batches read batches routed (each ends with one round of wake-ups)
     * @param wakeups consumers signalled at the ends of batches
     * @param badLines lines that were not JSON-RPC messages (skipped)
     * @param dropped messages dropped: for released or discarded turns, or with no route
     * @param turnsDiscarded turns whose events were discarded by a memory bound
     * @param requests requests sent (retries included)
     * @param retries requests sent again after "server overloaded"
     * @param timeouts requests that got no reply in time
     * @param serverRequests requests the server sent (approvals, tool calls)
     * @param handlerFailures server-request handlers that threw
     */
    public record Snapshot(long lines, long batches, long wakeups, long badLines, long dropped, long turnsDiscarded,
            long requests, long retries, long timeouts, long serverRequests, long handlerFailures) {
        /** @return lines per read batch, on average */
        public double linesPerBatch() {
            return batches == 0 ? 0 : (double) lines / batches;
        }
    }

    /** @return the dispatcher's lag in its last read batch, in nanoseconds (0 before the first) */
    public long lastBatchLagNanos() {
        return lastBatchLagNanos;
    }

    /** @return the counters now */
    public Snapshot snapshot() {
        return new Snapshot(lines.sum(), batches.sum(), wakeups.sum(), badLines.sum(), dropped.sum(),
                turnsDiscarded.sum(), requests.sum(), retries.sum(), timeouts.sum(), serverRequests.sum(),
                handlerFailures.sum());
    }
}
