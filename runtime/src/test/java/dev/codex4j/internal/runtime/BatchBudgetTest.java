package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The latency budget's arithmetic in {@link Batch}, on a clock the test drives: when a consumer
 * with a budget is woken (at once, deferred, never twice in a budget), and that a deferred wake
 * is paid when it is due and not before. The consumers are parked "waiting" stand-ins that record
 * their unparks; the dispatcher's use of Batch is covered against a real child process in
 * {@code LatencyBudgetIT}.
 */
class BatchBudgetTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A nanoTime far from zero (and negative), as System.nanoTime may be. */
    private static final long T0 = -5_000_000 * MS;

    /** A consumer that is always parked and counts its unparks. */
    private static final class Parked extends Wakeable {
        final String name;
        final List<String> log;

        Parked(String name, long budgetMillis, List<String> log) {
            this.name = name;
            this.budgetNanos = budgetMillis * MS;
            this.log = log;
        }

        @Override
        void unparkIfWaiting() {
            log.add(name);
        }

        @Override
        boolean isWaiting() {
            return true;
        }
    }

    private final List<String> woken = new ArrayList<>();
    private final Batch batch = new Batch(null);

    /** One read batch at {@code at} ms after T0 that brings each of {@code consumers} a message. */
    private List<String> batchAt(long at, Parked... consumers) {
        woken.clear();
        batch.nowNanos = T0 + at * MS;
        for (Parked p : consumers) {
            batch.wakeWithin(p);
        }
        batch.flush(T0 + at * MS, false);
        return List.copyOf(woken);
    }

    @Test
    void theFirstMessageWakesAtOnceAndLaterOnesAtMostOncePerBudget() {
        Parked ui = new Parked("ui", 20, woken);
        assertEquals(List.of("ui"), batchAt(0, ui), "the first message after a quiet spell: at once");
        assertEquals(List.of(), batchAt(4, ui), "4 ms later: deferred");
        assertEquals(List.of(), batchAt(8, ui));
        assertEquals(List.of(), batchAt(19, ui), "not before the budget");
        assertEquals(List.of("ui"), batchAt(20, ui), "one budget after the last wake: the deferred wake is paid");
        assertEquals(List.of(), batchAt(21, ui));
        assertEquals(List.of("ui"), batchAt(40, ui));
    }

    @Test
    void aDeferredWakeIsPaidWhenDueEvenIfNothingMoreArrives() {
        Parked ui = new Parked("ui", 20, woken);
        batchAt(0, ui);
        assertEquals(List.of(), batchAt(5, ui));
        assertTrue(batch.hasDeferred());
        assertEquals(T0 + 20 * MS, batch.earliestDue());
        woken.clear();
        batch.flush(T0 + 19 * MS, false);
        assertEquals(List.of(), woken, "not due yet");
        batch.flush(T0 + 20 * MS, false);
        assertEquals(List.of("ui"), woken, "due: paid with no new message");
        assertFalse(batch.hasDeferred());
    }

    @Test
    void aQuietSpellLongerThanTheBudgetMakesTheNextMessageWakeAtOnce() {
        Parked ui = new Parked("ui", 20, woken);
        batchAt(0, ui);
        assertEquals(List.of("ui"), batchAt(25, ui), "25 ms since the last wake: at once");
        assertFalse(batch.hasDeferred());
    }

    @Test
    void anUrgentWakeMakesTheDeferredOneStale() {
        Parked ui = new Parked("ui", 20, woken);
        batchAt(0, ui);
        batchAt(5, ui);
        woken.clear();
        batch.nowNanos = T0 + 7 * MS;
        batch.wake(ui); // turn/completed, error, a server request, the high-water mark
        batch.flush(T0 + 7 * MS, false);
        assertEquals(List.of("ui"), woken, "at once");
        woken.clear();
        batch.flush(T0 + 20 * MS, false);
        assertEquals(List.of(), woken, "the deferred wake it replaced is not paid again");
        assertEquals(List.of(), batchAt(22, ui), "the budget counts from the urgent wake");
        assertEquals(List.of("ui"), batchAt(27, ui));
    }

    @Test
    void deferredWakesOfDifferentBudgetsArePaidInTheOrderTheyFallDue() {
        Parked slow = new Parked("slow", 50, woken);
        Parked mid = new Parked("mid", 30, woken);
        Parked fast = new Parked("fast", 10, woken);
        Parked none = new Parked("none", 0, woken);
        assertEquals(List.of("slow", "mid", "fast", "none"), batchAt(0, slow, mid, fast, none));
        assertEquals(List.of("none"), batchAt(1, slow, mid, fast, none), "no budget: every batch");
        assertEquals(T0 + 10 * MS, batch.earliestDue());
        assertEquals(List.of("fast"), batchAt(10));
        assertEquals(List.of(), batchAt(29));
        assertEquals(List.of("mid"), batchAt(30));
        assertEquals(List.of("slow"), batchAt(50));
        assertFalse(batch.hasDeferred());
    }

    @Test
    void aWiderDispatcherWindowMakesDeferredWakesComeThatMuchEarlier() {
        Parked ui = new Parked("ui", 20, woken);
        batchAt(0, ui);
        batch.leadNanos = 3 * MS; // the lines of this batch may have waited 3 ms more in the link
        assertEquals(List.of(), batchAt(5, ui));
        batch.leadNanos = 0;
        assertEquals(T0 + 17 * MS, batch.earliestDue());
        assertEquals(List.of("ui"), batchAt(17));
    }

    @Test
    void flushAllPaysEveryDeferredWake() {
        Parked a = new Parked("a", 1000, woken);
        Parked b = new Parked("b", 2000, woken);
        batchAt(0, a, b);
        batchAt(1, a, b);
        woken.clear();
        batch.flushAll();
        assertEquals(List.of("a", "b"), woken.stream().sorted().toList());
        assertFalse(batch.hasDeferred());
    }

    @Test
    void manyConsumersStayOrderedByDueTime() {
        List<Parked> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(new Parked("c" + i, 2 + (i * 37) % 97, woken));
        }
        batchAt(0, all.toArray(Parked[]::new));
        batchAt(1, all.toArray(Parked[]::new));
        long last = Long.MIN_VALUE;
        int paid = 0;
        for (long t = 2; t <= 100; t++) { // budgets 2 to 98 ms
            List<String> now = batchAt(t);
            for (String name : now) {
                Parked p = all.get(Integer.parseInt(name.substring(1)));
                long due = p.budgetNanos / MS;
                assertEquals(t, due, name + " paid at " + t + " ms, due at " + due);
                assertTrue(due >= last);
                last = due;
                paid++;
            }
        }
        assertEquals(200, paid);
    }
}
