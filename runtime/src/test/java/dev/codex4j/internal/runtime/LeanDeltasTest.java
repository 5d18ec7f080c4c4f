package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.ObjectNode;

/**
 * A plain streaming delta is routed lean (its keys and a copy of its text's raw bytes, no copy of
 * the line, no String until a consumer asks): what each message holds must be its own, never a
 * view of the dispatcher's read buffer, which the next read overwrites. These tests would catch a
 * message that kept a slice of the buffer: thousands of lines of varying length (so that lines
 * straddle reads, and the buffer is compacted and reused many times) are held unread while the
 * dispatcher reads on, and every text, id and rebuilt line must come out as it was sent.
 */
@Timeout(60)
class LeanDeltasTest {
    private static final String DELTA = "item/agentMessage/delta";

    /** A plain delta: params hold only threadId, turnId, itemId and delta. */
    private static String delta(String threadId, String turnId, String itemId, String text) {
        ObjectNode p = ProtocolCodec.emptyObject();
        p.put("threadId", threadId);
        p.put("turnId", turnId);
        p.put("itemId", itemId);
        p.put("delta", text);
        return ProtocolCodec.encode(new JsonRpcMessage.Notification(DELTA, p, null));
    }

    /** Texts of varying length, with escapes, non-ASCII and surrogate pairs now and then. */
    private static String text(int i) {
        String tail = switch (i % 5) {
            case 0 -> "plain";
            case 1 -> "quote \" back\\slash\nnew line\ttab";
            case 2 -> "caf\u00e9 \u4e2d\u6587 \ud83d\ude00";
            case 3 -> "x".repeat(i % 700);
            default -> "\u0001ctl/" + "y".repeat(i % 37);
        };
        return i + ":" + tail;
    }

    @Test
    void heldDeltasKeepTheirOwnBytesWhileTheReadBufferIsReused() throws Exception {
        int n = 6_000;
        ConnectionOptions options = ConnectionOptions.builder().maxUnconsumedBytes(1L << 30)
                .maxHeldBytesPerTurn(1L << 30).maxHeldBytesTotal(1L << 30).build();
        try (ScriptedPeer peer = new ScriptedPeer(); Connection c = Connection.open(peer.transport, options)) {
            TurnMailbox held = c.turnMailbox("th-1", "tu-1"); // claimed, read only after everything arrived
            TurnMailbox live = c.turnMailbox("th-2", "tu-2"); // read while the lines arrive
            ConcurrentLinkedQueue<String> liveFailures = new ConcurrentLinkedQueue<>();
            List<String> liveTexts = new ArrayList<>();
            Thread liveConsumer = Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        Inbound in = live.take(Duration.ofSeconds(30));
                        if (in == null) {
                            liveFailures.add("stalled after " + liveTexts.size());
                            return;
                        }
                        if (in.isTurnCompleted()) {
                            return;
                        }
                        liveTexts.add(in.plainDelta());
                    }
                } catch (InterruptedException | RuntimeException e) {
                    liveFailures.add(e.toString());
                }
            });
            int lines = 0;
            for (int i = 0; i < n; i++) {
                peer.send(delta("th-1", "tu-1", "item-" + (i % 3), text(i)));
                peer.send(delta("th-2", "tu-2", "item-0", text(i)));
                lines += 2;
                if (i % 100 == 0) {
                    peer.send(Lines.turnEvent("item/started", "th-1", "tu-1", i)); // a whole line, not lean
                    lines++;
                }
            }
            peer.send(Lines.turnCompleted("th-2", "tu-2"));
            lines++;
            int all = lines;
            await().atMost(Duration.ofSeconds(30)).until(() -> c.stats().lines() == all);
            liveConsumer.join(Duration.ofSeconds(30));
            assertEquals(List.of(), List.copyOf(liveFailures));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(text(i));
            }
            assertEquals(expected, liveTexts, "the live consumer's deltas");

            for (int i = 0; i < n; i++) {
                Inbound in = held.poll();
                assertNotNull(in, "delta " + i);
                String sent = delta("th-1", "tu-1", "item-" + (i % 3), text(i));
                assertTrue(in.isPlainDelta());
                assertEquals(text(i), in.plainDelta(), "delta " + i);
                assertEquals("item-" + (i % 3), in.plainDeltaItemId());
                assertEquals(sent.getBytes(UTF_8).length, in.size(), "the size on the wire");
                // The rebuilt line is the same message.
                assertEquals(ProtocolCodec.decode(sent), in.message(), "delta " + i + " rebuilt");
                assertEquals("tu-1", in.turnId());
                assertEquals("th-1", in.threadId());
                if (i % 100 == 0) {
                    Inbound started = held.poll();
                    assertNotNull(started);
                    assertFalse(started.isPlainDelta());
                    assertEquals(i, Lines.seq(started));
                    assertArrayEquals(Lines.turnEvent("item/started", "th-1", "tu-1", i).getBytes(UTF_8),
                            started.bytes(), "a line that is not a plain delta is held as it came");
                }
            }
            assertEquals(null, held.poll(), "nothing more, nothing less");
        }
    }

    @Test
    void aPlainDeltaRebuildsItsLineWithItsIdsEscaped() {
        String sent = "{\"jsonrpc\":\"2.0\",\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\\\"h\","
                + "\"turnId\":\"t\\\\u\",\"itemId\":\"i\\u00e9\",\"delta\":\"a\\nb \\ud83d\\ude00 \\\"q\\\"\"}}";
        Inbound in = Inbound.of(sent);
        assertTrue(in.isPlainDelta());
        assertEquals("a\nb \ud83d\ude00 \"q\"", in.plainDelta());
        assertEquals("t\"h", in.threadId());
        assertEquals("t\\u", in.turnId());
        assertEquals("i\u00e9", in.plainDeltaItemId());
        assertEquals(sent.getBytes(UTF_8).length, in.size());
        assertEquals(ProtocolCodec.decode(sent), in.message(), "the same message");
        assertEquals(in.bytes(), in.bytes(), "rebuilt once, then kept");

        // Not plain (another member): held whole, as it came.
        String other = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\","
                + "\"itemId\":\"i\",\"delta\":\"d\",\"extra\":1}}";
        Inbound whole = Inbound.of(other);
        assertFalse(whole.isPlainDelta());
        assertArrayEquals(other.getBytes(UTF_8), whole.bytes());
    }
}
