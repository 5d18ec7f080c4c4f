package dev.codex4j.reliability;

import dev.codex4j.RunResult;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.TurnHandle;
import dev.codex4j.protocol.types.TurnStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Consumes one turn streamed by testkit's {@code ScriptStep.pacedTurn} (each delta's text is
 * {@code "<seq>:<nanoTime> "}) through {@link TurnHandle#events()} and checks it: every sequence
 * number from 0 to {@code deltas - 1} exactly once and in order, the final answer equal to the
 * deltas joined, status {@code completed}. Records the emit-to-consumer latency of each delta.
 *
 * <pre>{@code
 * TurnCheck.Result r = TurnCheck.consume(thread.turn("q"), 50, latencies);
 * assertTrue(r.whole());
 * }</pre>
 */
public final class TurnCheck {
    /**
     * What one turn looked like.
     *
     * @param deltas deltas received
     * @param lost sequence numbers never received
     * @param duplicated deltas received more than once
     * @param reordered deltas received after a later one
     * @param textWhole whether the final answer equals the deltas joined (and the status is completed)
     * @param error what consuming it threw, or null
     */
    public record Result(int deltas, int lost, int duplicated, int reordered, boolean textWhole,
            @Nullable Throwable error) {
        /** @return whether the turn arrived complete, once, in order, with its whole text */
        public boolean whole() {
            return lost == 0 && duplicated == 0 && reordered == 0 && textWhole && error == null;
        }

        /** @return a short description of what was wrong */
        public String problem() {
            return error != null ? error.toString()
                    : "lost " + lost + ", duplicated " + duplicated + ", reordered " + reordered + ", text whole "
                            + textWhole;
        }
    }

    private TurnCheck() {}

    /**
     * Consumes the turn with {@code events()} and checks it.
     *
     * @param turn the turn
     * @param expectedDeltas how many deltas the fake streams
     * @param latency receives each delta's emit-to-consumer latency, or null
     * @return what it found
     */
    public static Result consume(TurnHandle turn, int expectedDeltas, @Nullable Latencies latency) {
        List<Integer> seqs = new ArrayList<>(expectedDeltas);
        StringBuilder text = new StringBuilder();
        RunResult result = null;
        try (TurnEventStream events = turn.events()) {
            for (TurnEvent e : events) {
                if (e instanceof TurnEvent.AgentMessageDelta d) {
                    long now = System.nanoTime();
                    text.append(d.delta());
                    String s = d.delta().trim();
                    int colon = s.indexOf(':');
                    seqs.add(Integer.parseInt(s.substring(0, colon)));
                    if (latency != null) {
                        latency.add(now - Long.parseLong(s.substring(colon + 1)));
                    }
                } else if (e instanceof TurnEvent.Completed c) {
                    result = c.result();
                }
            }
        } catch (RuntimeException e) {
            return check(seqs, expectedDeltas, false, e);
        }
        boolean whole = result != null && result.status().equals(TurnStatus.COMPLETED)
                && result.finalResponse().equals(Optional.of(text.toString()));
        return check(seqs, expectedDeltas, whole, null);
    }

    static Result check(List<Integer> seqs, int expected, boolean textWhole, @Nullable Throwable error) {
        BitSet seen = new BitSet(expected);
        int duplicated = 0;
        int reordered = 0;
        int last = -1;
        for (int s : seqs) {
            if (s < 0 || s >= expected) {
                duplicated++; // not a number the fake wrote: count it as extra
                continue;
            }
            if (seen.get(s)) {
                duplicated++;
                continue;
            }
            seen.set(s);
            if (s < last) {
                reordered++;
            }
            last = Math.max(last, s);
        }
        return new Result(seqs.size(), expected - seen.cardinality(), duplicated, reordered, textWhole, error);
    }
}
