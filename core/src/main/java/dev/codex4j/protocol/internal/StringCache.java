package dev.codex4j.protocol.internal;

/**
 * A small cache of strings by their characters, for values that repeat on every line (methods,
 * thread, turn and item ids): a hit returns the same String (whose hash is computed once), a miss
 * makes one and keeps it. Direct-mapped by hash, replaced on collision. Not thread-safe: one per
 * scanner.
 */
final class StringCache {
    private static final int SIZE = 4096; // a power of two
    private static final int MAX_LENGTH = 128;

    private final String[] entries = new String[SIZE];

    /** @return the string of these characters, cached */
    String get(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + chars[offset + i];
        }
        int slot = (h ^ (h >>> 16)) & (SIZE - 1);
        String e = entries[slot];
        if (e != null && e.length() == length && matches(e, chars, offset, length)) {
            return e;
        }
        String s = new String(chars, offset, length);
        entries[slot] = s;
        return s;
    }

    private static boolean matches(String s, char[] chars, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /** @return the string of these UTF-8 bytes (no escapes in them), cached */
    String get(byte[] bytes, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8);
        }
        int slot = byteHash(bytes, offset, length) & (SIZE - 1);
        byte[] raw = rawEntries[slot];
        if (raw != null && raw.length == length
                && java.util.Arrays.equals(raw, 0, length, bytes, offset, offset + length)) {
            return byteEntries[slot];
        }
        String s = new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8);
        rawEntries[slot] = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        byteEntries[slot] = s;
        return s;
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * A cheap hash of the length and the first, middle and last eight bytes: ids differ at their
     * ends (UUIDv7 ids share their time prefix) or in the middle (a thread's and a turn's ids made
     * in the same millisecond, or sequential ones), and a collision only costs a miss.
     */
    private static int byteHash(byte[] b, int offset, int length) {
        long h = length;
        if (length >= 8) {
            h = h * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(b, offset);
            h = h * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(b, offset + (length >>> 1) - 4);
            h = h * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(b, offset + length - 8);
        } else {
            for (int i = 0; i < length; i++) {
                h = h * 31 + b[offset + i];
            }
        }
        // A full finalizer (MurmurHash3's fmix64): the slot is the hash's low bits, and the bytes that
        // tell ids apart (their last characters: the high bytes of the last eight) must reach them.
        // A bare multiply kept them out, so that ids differing only there shared one slot and
        // missed on every line when their turns interleaved.
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h;
    }

    private final byte[][] rawEntries = new byte[SIZE][];
    private final String[] byteEntries = new String[SIZE];
}
