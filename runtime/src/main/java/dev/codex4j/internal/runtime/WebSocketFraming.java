package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What the WebSocket transports share: the RFC 6455 opening-handshake key check, client-frame
 * masking, and the adaptation of messages to the dispatcher's lines. The app-server sends one
 * JSON-RPC message per text frame; the dispatcher frames lines at {@code \n}. A raw line break
 * inside a JSON text can only be insignificant whitespace, so the transports turn each one into a
 * space and end every message with {@code \n}: a pretty-printed message stays one line.
 */
final class WebSocketFraming {
    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;
    /** RFC 6455 close codes. */
    static final int CLOSE_NORMAL = 1000;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private WebSocketFraming() {}

    /** @return the {@code Sec-WebSocket-Accept} value a server must answer {@code key} with */
    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
    }

    /** XORs {@code b[from, to)} with the 4-byte mask, big-endian, starting at mask byte 0. */
    static void mask(byte[] b, int from, int to, int mask) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            INTS.set(b, i, (int) INTS.get(b, i) ^ mask);
        }
        for (int k = 0; i < to; i++, k++) {
            b[i] ^= (byte) (mask >>> (24 - 8 * k));
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** Turns every raw {@code \n} and {@code \r} in {@code b[from, to)} into a space: eight bytes at a time. */
    static void blankLineBreaks(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long v = (long) LONGS.get(b, i);
            long lf = v ^ LFS;
            long cr = v ^ CRS;
            if (((((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS) != 0) {
                blankSlow(b, i, i + 8);
            }
        }
        blankSlow(b, i, to);
    }

    private static void blankSlow(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n' || b[i] == '\r') {
                b[i] = ' ';
            }
        }
    }
}
