package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.RequestTimeoutException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers that misbehave without end, found by the reliability suite (reliability module): one
 * that stops reading its input (hung or stopped), and one that floods error replies naming no
 * request.
 */
@Timeout(60)
class MisbehavingPeerTest {

    /** A server's stdin that nobody reads any more: every write blocks until close. */
    private static final class FrozenInput extends OutputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void callsEndAtTheirDeadlineWhenTheServerStopsReading() throws Exception {
        Pipe silence = Pipe.open();
        try (Connection c = Connection.open(new StreamTransport(Channels.newInputStream(silence.source()),
                new FrozenInput()), ConnectionOptions.defaults())) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                long start = System.nanoTime();
                RequestTimeoutException e = assertThrows(RequestTimeoutException.class,
                        () -> c.call("model/list", ProtocolCodec.emptyObject(), Duration.ofMillis(300)));
                assertEquals("model/list", e.method());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 1_500, "a 300 ms deadline took " + ms + " ms");
            }, "a call waited past its deadline for a write the server never reads");
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                CompletableFuture<?> f = c.request("thread/list", ProtocolCodec.emptyObject(), Duration.ofMillis(300));
                CompletionException e = assertThrows(CompletionException.class, f::join);
                assertInstanceOf(RequestTimeoutException.class, e.getCause());
            }, "request() blocked its caller on a write the server never reads");
        }
        silence.sink().close();
        silence.source().close();
    }

    @Test
    void errorRepliesThatNameNoRequestAreLoggedRateLimited() throws Exception {
        try (LogCapture log = new LogCapture(RequestTable.class); ScriptedPeer peer = new ScriptedPeer();
                Connection c = Connection.open(peer.transport)) {
            for (int i = 0; i < 1_000; i++) {
                peer.send("{\"id\":null,\"error\":{\"code\":-32600,\"message\":\"no such request " + i + "\"}}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> c.stats().lines() >= 1_000);
            int records = log.at(Level.WARNING, "no request").size();
            assertTrue(records <= 11, records + " log records for 1,000 error replies");
        }
    }
}
