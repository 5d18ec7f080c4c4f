package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The byte budgets count what a message really holds, so that they bound the heap (found by the
 * reliability suite's memory campaign: big deltas held the heap at about 1.5 times the budgets),
 * and turns nobody consumes are warned about once (issue 10, defect 3).
 */
@Timeout(60)
class BudgetAccountingTest {

    @Test
    void aDeltaCountsAtLeastWhatItHolds() throws Exception {
        String text = "x".repeat(100_000);
        String line = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"th\",\"turnId\":\"tu\","
                + "\"itemId\":\"i\",\"delta\":\"" + text + "\"}}";
        try (ScriptedPeer peer = new ScriptedPeer(); Connection c = Connection.open(peer.transport)) {
            TurnMailbox unconsumed = c.turnMailbox("th", "tu");
            peer.send(line);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stats().lines() == 1);
            long bytes = line.getBytes(StandardCharsets.UTF_8).length;
            // A plain delta is held as a copy of its text's raw bytes alone (no copy of the line, no
            // String until a consumer takes it): its size on the wire bounds that.
            assertTrue(c.unconsumedBytes() >= bytes && bytes > text.length(), c.unconsumedBytes()
                    + " bytes counted for a " + bytes + "-byte line holding a " + text.length() + "-byte text");
            assertEquals(text, unconsumed.poll().plainDelta(), "the delta is the one the dispatcher read");
            c.close();
            assertEquals(List.of(), c.liveThreads());
        }
    }

    @Test
    void turnsNobodyConsumesAreWarnedAboutOnce() throws Exception {
        try (LogCapture log = new LogCapture(Router.class); ScriptedPeer peer = new ScriptedPeer();
                Connection c = Connection.open(peer.transport, ConnectionOptions.builder().maxUnconsumedBytes(20_000).build())) {
            for (int t = 0; t < 5; t++) {
                c.turnMailbox("th" + t, "tu" + t); // claimed, never consumed
            }
            for (int i = 0; i < 500; i++) {
                peer.send(Lines.turnEvent("d", "th" + (i % 5), "tu" + (i % 5), i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stats().lines() == 500);
            assertTrue(c.stats().turnsDiscarded() > 0, "the budget acted");
            List<LogRecord> warnings = log.at(Level.WARNING, "nobody consumes");
            assertEquals(1, warnings.size(), "warned once, however often the budget acts: " + warnings.size());
            assertTrue(warnings.getFirst().getMessage().contains("maxUnconsumedBytes"), warnings.getFirst().getMessage());
        }
    }
}
