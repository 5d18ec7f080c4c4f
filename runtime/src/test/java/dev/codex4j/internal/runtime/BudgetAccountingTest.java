package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The byte budgets count what a message really holds, so that they bound the heap (found by the
 * reliability suite's memory campaign: big deltas held the heap at about 1.5 times the budgets).
 */
@Timeout(60)
class BudgetAccountingTest {

    @Test
    void aDeltasTextCountsBesideItsBytes() throws Exception {
        String text = "x".repeat(100_000);
        String line = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"th\",\"turnId\":\"tu\","
                + "\"itemId\":\"i\",\"delta\":\"" + text + "\"}}";
        try (ScriptedPeer peer = new ScriptedPeer(); Connection c = Connection.open(peer.transport)) {
            TurnMailbox unconsumed = c.turnMailbox("th", "tu");
            peer.send(line);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stats().lines() == 1);
            long bytes = line.getBytes(StandardCharsets.UTF_8).length;
            // The dispatcher keeps the line's bytes and, for a delta, its text as a String: both count.
            assertTrue(c.unconsumedBytes() >= bytes + text.length(), c.unconsumedBytes() + " bytes counted for a "
                    + bytes + "-byte line holding a " + text.length() + "-character text besides");
            assertEquals(text, unconsumed.poll().plainDelta(), "the delta is the one the dispatcher read");
            c.close();
            assertEquals(List.of(), c.liveThreads());
        }
    }
}
