package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers that misbehave without end, found by the reliability suite (reliability module): one
 * that floods error replies naming no request.
 */
@Timeout(60)
class MisbehavingPeerTest {

    @Test
    void errorRepliesThatNameNoRequestAreLoggedRateLimited() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(RequestTable.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try (ScriptedPeer peer = new ScriptedPeer(); Connection c = Connection.open(peer.transport)) {
            for (int i = 0; i < 1_000; i++) {
                peer.send("{\"id\":null,\"error\":{\"code\":-32600,\"message\":\"no such request " + i + "\"}}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> c.stats().lines() >= 1_000);
            assertTrue(records.size() <= 11, records.size() + " log records for 1,000 error replies");
        } finally {
            logger.removeHandler(capture);
        }
    }
}
