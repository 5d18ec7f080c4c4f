package dev.codex4j.protocol.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RoutingKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The hand-written byte path agrees with Jackson: on every recorded line, and on a hundred thousand
 * mutations of them (bytes flipped, inserted, deleted, truncated), it accepts every line a full
 * decode accepts, with the same keys, and rejects every line that is not JSON (a JSON line of the
 * wrong shape, an error without a code say, may pass it: its reader then fails it); it throws only
 * {@link ProtocolException}.
 */
class ByteScannerTest {

    private static List<byte[]> recorded() throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/transcripts"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String row : Files.readAllLines(f, UTF_8)) {
                    JsonNode r = ProtocolCodec.mapper().readTree(row);
                    if ("s2c".equals(r.path("dir").asString()) && r.has("msg")) {
                        lines.add(ProtocolCodec.mapper().writeValueAsBytes(r.get("msg")));
                    }
                }
            }
        }
        return lines;
    }

    private static void agree(byte[] line) {
        RoutingKeys full;
        try {
            JsonRpcMessage m = ProtocolCodec.decode(line, 0, line.length);
            full = RoutingKeys.of(m);
        } catch (ProtocolException e) {
            full = null;
        }
        LineScanner s = LineScanner.forReader();
        RoutingKeys fast;
        try {
            s.scan(line, 0, line.length);
            fast = s.keys();
        } catch (ProtocolException e) {
            fast = null;
        } catch (Throwable t) {
            fail("the byte path threw " + t + " for " + new String(line, UTF_8), t);
            return;
        }
        if (full == null && fast != null && !isJson(line)) {
            fail("the byte path accepted what is not JSON: " + new String(line, UTF_8) + " -> " + fast);
        }
        if (full != null && fast == null && isUtf8(line)) {
            // Jackson lets some malformed UTF-8 through in member names; the byte path never does.
            fail("the byte path rejected what a full decode accepts: " + new String(line, UTF_8));
        }
        if (full != null) {
            if (fast != null) {
                assertEquals(full, fast, () -> "keys of " + new String(line, UTF_8));
            }
        }
    }

    private static boolean isUtf8(byte[] line) {
        try {
            UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** The grammar's verdict (a full decode also checks shapes: an error without a code, say). */
    private static boolean isJson(byte[] line) {
        try {
            JsonNode n = ProtocolCodec.mapper().readTree(line);
            return n != null && n.isObject();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void everyRecordedLineGivesTheKeysOfAFullDecode() throws IOException {
        List<byte[]> lines = recorded();
        assertEquals(true, lines.size() > 500, "recordings found: " + lines.size());
        lines.forEach(ByteScannerTest::agree);
    }

    @Test
    void mutatedLinesAreAcceptedExactlyWhenAFullDecodeAcceptsThem() throws IOException {
        List<byte[]> lines = recorded();
        Random random = new Random(20261202);
        byte[] interesting = "{}[]\":,\\ -+.0123456789eEtrufalsn\u00e9\u4e2d\ud83d\ude00".getBytes(UTF_8);
        for (int i = 0; i < 100_000; i++) {
            byte[] line = lines.get(random.nextInt(lines.size()));
            if (line.length > 4000) {
                continue;
            }
            byte[] m = switch (random.nextInt(5)) {
                case 0 -> flip(line, random, interesting);
                case 1 -> insert(line, random, interesting);
                case 2 -> delete(line, random);
                case 3 -> java.util.Arrays.copyOf(line, random.nextInt(line.length));
                default -> flip(line, random, new byte[] {(byte) random.nextInt(256)});
            };
            agree(m);
        }
    }

    private static byte[] flip(byte[] line, Random r, byte[] pool) {
        byte[] m = line.clone();
        m[r.nextInt(m.length)] = pool[r.nextInt(pool.length)];
        return m;
    }

    private static byte[] insert(byte[] line, Random r, byte[] pool) {
        int at = r.nextInt(line.length + 1);
        byte[] m = new byte[line.length + 1];
        System.arraycopy(line, 0, m, 0, at);
        m[at] = pool[r.nextInt(pool.length)];
        System.arraycopy(line, at, m, at + 1, line.length - at);
        return m;
    }

    private static byte[] delete(byte[] line, Random r) {
        int at = r.nextInt(line.length);
        byte[] m = new byte[line.length - 1];
        System.arraycopy(line, 0, m, 0, at);
        System.arraycopy(line, at + 1, m, at, line.length - at - 1);
        return m;
    }

    @Test
    void escapesAndNonAsciiDecodeAsJacksonDoes() {
        String line = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\\u00e9\",\"turnId\":\"tu\","
                + "\"itemId\":\"i\",\"delta\":\"a\\n\\\"b\\\\ \\ud83d\\ude00 \u4e2d \\/\"}}";
        byte[] bytes = line.getBytes(UTF_8);
        agree(bytes);
        LineScanner s = LineScanner.forReader();
        s.scan(bytes, 0, bytes.length);
        assertEquals("a\n\"b\\ \ud83d\ude00 \u4e2d /", s.plainDelta());
        assertEquals("t\u00e9", s.threadId());
    }

    @Test
    void aPlainDeltasRawBytesAreACopyThatDecodesLater() {
        String line = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\",\"turnId\":\"tu\","
                + "\"itemId\":\"i\",\"delta\":\"a\\n\\\"b \u4e2d\"}}";
        byte[] bytes = line.getBytes(UTF_8);
        LineScanner s = LineScanner.forReader();
        s.scan(bytes, 0, bytes.length);
        assertTrue(s.isPlainDelta());
        byte[] raw = s.plainDeltaRaw();
        assertTrue(s.plainDeltaEscaped());
        java.util.Arrays.fill(bytes, (byte) 'z'); // the line's buffer is reused: the copy is not
        assertEquals("a\n\"b \u4e2d", LineScanner.decodeRaw(raw, true));
        byte[] plain = "{\"method\":\"m\",\"params\":{\"itemId\":\"i\",\"delta\":\"ok\"}}".getBytes(UTF_8);
        s.scan(plain, 0, plain.length);
        assertFalse(s.plainDeltaEscaped());
        assertEquals("ok", LineScanner.decodeRaw(s.plainDeltaRaw(), false));
        byte[] notPlain = "{\"method\":\"m\",\"params\":{\"itemId\":\"i\",\"delta\":\"ok\",\"x\":1}}".getBytes(UTF_8);
        s.scan(notPlain, 0, notPlain.length);
        assertFalse(s.isPlainDelta());
        assertEquals(null, s.plainDeltaRaw());
        assertEquals(null, s.plainDelta());
    }

    @Test
    void deepNestingAndHugeIdsAreRejected() {
        byte[] deep = ("{\"method\":\"x\",\"params\":" + "[".repeat(5_000)).getBytes(UTF_8);
        assertThrows(ProtocolException.class, () -> LineScanner.forReader().scan(deep, 0, deep.length));
        byte[] big = "{\"id\":99999999999999999999,\"result\":{}}".getBytes(UTF_8);
        assertThrows(ProtocolException.class, () -> LineScanner.forReader().scan(big, 0, big.length));
        agree("{\"id\":-9223372036854775808,\"result\":{}}".getBytes(UTF_8));
        agree("{\"id\":9223372036854775807,\"result\":{}}".getBytes(UTF_8));
    }
}
