package dev.codex4j.protocol.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RequestId;
import org.jspecify.annotations.Nullable;

/**
 * {@link LineScanner}'s byte path: a hand-written, validating one-pass reader of a JSON-RPC line's
 * UTF-8 bytes. It checks the whole line against the JSON grammar (objects, arrays, strings with
 * their escapes and UTF-8 sequences, numbers, literals, nesting up to
 * {@link ProtocolCodec#MAX_NESTING_DEPTH}, nothing after the object) and materialises only the
 * values routing needs: {@code id}, {@code method}, and in {@code params} the thread, turn and item
 * ids and a delta's text. No parser object, no buffers, no string for anything it skips; ids and
 * methods that repeat from line to line come from a {@link StringCache} by their raw bytes.
 *
 * <p>It accepts exactly the lines Jackson's parser accepts in the protocol's settings, and gives
 * the keys a full decode gives (the tests compare both on every recording and on mutated lines).
 * Not thread-safe: confined to its scanner's thread.
 */
final class ByteScanner {
    private final LineScanner out;
    private final @Nullable StringCache cache;
    private byte[] b = new byte[0];
    private int pos;
    private int end;
    private int depth;
    /** Set by {@link #string()}: the raw bytes of the last string, and whether it had escapes. */
    private int strStart;
    private int strEnd;
    private boolean strEscaped;

    ByteScanner(LineScanner out, @Nullable StringCache cache) {
        this.out = out;
        this.cache = cache;
    }

    /** Scans a line; the results go to the scanner's fields. */
    void scan(byte[] line, int offset, int length) {
        b = line;
        pos = offset;
        end = offset + length;
        depth = 0;
        boolean methodSeen = false;
        boolean hasResult = false;
        boolean hasError = false;
        ws();
        if (pos >= end || b[pos] != '{') {
            throw error("Not a JSON object");
        }
        pos++;
        depth++;
        ws();
        if (peek() == '}') {
            pos++;
        } else {
            for (;;) {
                int key = topKey();
                ws();
                expect(':');
                ws();
                switch (key) {
                    case ID -> out.id = id();
                    case METHOD -> {
                        if (peek() != '"') {
                            skipValue();
                            throw error("\"method\" is not a string");
                        }
                        string();
                        out.method = cachedString();
                        methodSeen = true;
                    }
                    case PARAMS -> {
                        if (out.paramsSeen) {
                            out.plainDeltaShape = false;
                            out.clearParams(); // the tree keeps the last params object only
                        }
                        out.paramsSeen = true;
                        if (peek() == '{') {
                            params();
                        } else {
                            out.plainDeltaShape = false;
                            skipValue();
                        }
                    }
                    case RESULT -> {
                        hasResult = true;
                        skipValue();
                    }
                    case ERROR -> {
                        hasError = !isNull();
                        skipValue();
                    }
                    default -> skipValue();
                }
                ws();
                byte c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw error("Expected ',' or '}' after a member");
                }
                ws();
            }
        }
        depth--;
        ws();
        if (pos != end) {
            throw error("Trailing content after the JSON object");
        }
        out.finish(methodSeen, hasResult, hasError);
    }

    // ---------------------------------------------------------------- keys

    private static final int OTHER = 0;
    private static final int ID = 1;
    private static final int METHOD = 2;
    private static final int PARAMS = 3;
    private static final int RESULT = 4;
    private static final int ERROR = 5;
    private static final int THREAD_ID = 6;
    private static final int TURN_ID = 7;
    private static final int ITEM_ID = 8;
    private static final int DELTA = 9;
    private static final int CONVERSATION_ID = 10;
    private static final int THREAD = 11;
    private static final int TURN = 12;

    private static final byte[][] TOP = {null, bytes("id"), bytes("method"), bytes("params"), bytes("result"),
        bytes("error")};
    private static final byte[][] PARAM = {null, null, null, null, null, null, bytes("threadId"), bytes("turnId"),
        bytes("itemId"), bytes("delta"), bytes("conversationId"), bytes("thread"), bytes("turn")};

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private int topKey() {
        if (peek() != '"') {
            throw error("Expected a member name");
        }
        name();
        if (strEscaped) {
            return match(TOP, decoded(), 1, 5);
        }
        return match(TOP, 1, 5);
    }

    private int paramKey() {
        if (peek() != '"') {
            throw error("Expected a member name");
        }
        name();
        if (strEscaped) {
            return match(PARAM, decoded(), 6, 12);
        }
        return match(PARAM, 6, 12);
    }

    /** Which of names[from..to] the last unescaped string is. */
    private int match(byte[][] names, int from, int to) {
        int len = strEnd - strStart;
        for (int k = from; k <= to; k++) {
            byte[] n = names[k];
            if (n.length == len && regionEquals(n)) {
                return k;
            }
        }
        return OTHER;
    }

    private static int match(byte[][] names, String decoded, int from, int to) {
        for (int k = from; k <= to; k++) {
            if (new String(names[k], UTF_8).equals(decoded)) {
                return k;
            }
        }
        return OTHER;
    }

    private boolean regionEquals(byte[] n) {
        for (int i = 0; i < n.length; i++) {
            if (b[strStart + i] != n[i]) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- values routing needs

    private @Nullable RequestId id() {
        byte c = peek();
        if (c == '"') {
            string();
            return RequestId.of(decoded());
        }
        if (c == 'n') {
            literal("null");
            return null;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            int start = pos;
            boolean integral = number();
            if (!integral) {
                throw error("\"id\" is neither an integer nor a string");
            }
            return RequestId.of(parseLong(start, pos));
        }
        skipValue();
        throw error("\"id\" is neither an integer nor a string");
    }

    private long parseLong(int start, int stop) {
        boolean negative = b[start] == '-';
        int i = negative ? start + 1 : start;
        if (stop - i > 19) {
            throw error("\"id\" is out of range");
        }
        long v = 0;
        for (; i < stop; i++) {
            int d = b[i] - '0';
            // Accumulate negatively so that Long.MIN_VALUE fits.
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw error("\"id\" is out of range");
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw error("\"id\" is out of range");
            }
            v = -v;
        }
        return v;
    }

    private void params() {
        pos++; // {
        enter();
        ws();
        if (peek() == '}') {
            pos++;
            depth--;
            return;
        }
        for (;;) {
            int key = paramKey();
            ws();
            expect(':');
            ws();
            switch (key) {
                case THREAD_ID -> out.threadFlat = repeatedString(out.threadFlat);
                case TURN_ID -> out.turnFlat = repeatedString(out.turnFlat);
                case ITEM_ID -> out.itemId = repeatedString(out.itemId);
                case DELTA -> {
                    if (peek() == '"') {
                        if (out.hasDelta()) {
                            out.plainDeltaShape = false;
                        }
                        string();
                        // Not decoded here: where the text goes (a consumer that needs it, or none) decodes it.
                        out.delta = null;
                        out.deltaLine = b;
                        out.deltaFrom = strStart;
                        out.deltaTo = strEnd;
                        out.deltaEscaped = strEscaped;
                    } else {
                        out.plainDeltaShape = false;
                        skipValue();
                    }
                }
                case CONVERSATION_ID -> {
                    out.plainDeltaShape = false;
                    if (peek() == '"') {
                        string();
                        out.conversation = decoded();
                    } else {
                        skipValue();
                    }
                }
                case THREAD, TURN -> {
                    out.plainDeltaShape = false;
                    String nested = peek() == '{' ? nestedId() : skipNull();
                    if (nested != null) {
                        if (key == THREAD) {
                            out.threadNested = nested;
                        } else {
                            out.turnNested = nested;
                        }
                    }
                }
                default -> {
                    out.plainDeltaShape = false;
                    skipValue();
                }
            }
            ws();
            byte c = next();
            if (c == '}') {
                depth--;
                return;
            }
            if (c != ',') {
                throw error("Expected ',' or '}' after a member");
            }
            ws();
        }
    }

    private @Nullable String skipNull() {
        skipValue();
        return null;
    }

    /** A string member that repeats from line to line; anything else keeps the previous value. */
    private @Nullable String repeatedString(@Nullable String previous) {
        if (peek() != '"') {
            out.plainDeltaShape = false;
            skipValue();
            return previous;
        }
        if (previous != null) {
            out.plainDeltaShape = false;
        }
        string();
        return cachedString();
    }

    /** The {@code id} string of the object at pos; everything else in it is skipped. */
    private @Nullable String nestedId() {
        pos++; // {
        enter();
        String id = null;
        ws();
        if (peek() == '}') {
            pos++;
            depth--;
            return null;
        }
        for (;;) {
            if (peek() != '"') {
                throw error("Expected a member name");
            }
            name();
            boolean isId = strEscaped ? decoded().equals("id") : strEnd - strStart == 2 && b[strStart] == 'i'
                    && b[strStart + 1] == 'd';
            ws();
            expect(':');
            ws();
            if (isId && peek() == '"') {
                string();
                id = cachedString();
            } else {
                skipValue();
            }
            ws();
            byte c = next();
            if (c == '}') {
                depth--;
                return id;
            }
            if (c != ',') {
                throw error("Expected ',' or '}' after a member");
            }
            ws();
        }
    }

    // ---------------------------------------------------------------- grammar

    private void skipValue() {
        byte c = peek();
        switch (c) {
            case '{' -> skipObject();
            case '[' -> skipArray();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw error("Unexpected character '" + printable(c) + "'");
                }
            }
        }
    }

    private boolean isNull() {
        return pos + 4 <= end && b[pos] == 'n' && b[pos + 1] == 'u' && b[pos + 2] == 'l' && b[pos + 3] == 'l';
    }

    private void skipObject() {
        pos++;
        enter();
        ws();
        if (peek() == '}') {
            pos++;
            depth--;
            return;
        }
        for (;;) {
            if (peek() != '"') {
                throw error("Expected a member name");
            }
            name();
            ws();
            expect(':');
            ws();
            skipValue();
            ws();
            byte c = next();
            if (c == '}') {
                depth--;
                return;
            }
            if (c != ',') {
                throw error("Expected ',' or '}' after a member");
            }
            ws();
        }
    }

    private void skipArray() {
        pos++;
        enter();
        ws();
        if (peek() == ']') {
            pos++;
            depth--;
            return;
        }
        for (;;) {
            skipValue();
            ws();
            byte c = next();
            if (c == ']') {
                depth--;
                return;
            }
            if (c != ',') {
                throw error("Expected ',' or ']' after an element");
            }
            ws();
        }
    }

    private void enter() {
        if (++depth > ProtocolCodec.MAX_NESTING_DEPTH) {
            throw error("Nesting deeper than " + ProtocolCodec.MAX_NESTING_DEPTH);
        }
    }

    private void literal(String word) {
        int n = word.length();
        if (pos + n > end) {
            throw error("Unexpected end of the line");
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw error("Unrecognized token");
            }
        }
        pos += n;
        // A literal must end where a token may end.
        if (pos < end && isTokenChar(b[pos])) {
            throw error("Unrecognized token");
        }
    }

    private static boolean isTokenChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
                || c == '-' || c == '+' || c == '.' || c < 0;
    }

    /** Scans a number; returns whether it is an integer (no fraction, no exponent). */
    private boolean number() {
        boolean integral = true;
        if (b[pos] == '-') {
            pos++;
        }
        if (pos >= end) {
            throw error("Unexpected end of the line in a number");
        }
        if (b[pos] == '0') {
            pos++;
            if (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                throw error("Leading zeroes are not allowed");
            }
        } else if (b[pos] >= '1' && b[pos] <= '9') {
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
        } else {
            throw error("Expected a digit");
        }
        if (pos < end && b[pos] == '.') {
            integral = false;
            pos++;
            digits();
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            integral = false;
            pos++;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            digits();
        }
        if (pos < end && isTokenChar(b[pos]) && b[pos] != '-' && b[pos] != '+') {
            throw error("Unexpected character in a number");
        }
        return integral;
    }

    private void digits() {
        int start = pos;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        if (pos == start) {
            throw error("Expected a digit");
        }
    }

    /**
     * Scans the string at pos (validating escapes and UTF-8); leaves its raw content in
     * [strStart, strEnd) and whether it had escapes in strEscaped.
     */
    private void string() {
        string(true);
    }

    /** A member name: checked like any string (strict UTF-8). */
    private void name() {
        string(true);
    }

    /** Per byte: 0 plain, 1 the closing quote, 2 an escape, 3 a control character, 4 a UTF-8 lead or stray byte. */
    private static final byte[] CODES = new byte[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            CODES[c] = 3;
        }
        CODES['"'] = 1;
        CODES['\\'] = 2;
        for (int c = 0x80; c < 0x100; c++) {
            CODES[c] = 4;
        }
    }

    private void string(boolean checkUtf8) {
        pos++; // opening quote
        strStart = pos;
        strEscaped = false;
        byte[] bb = b;
        int stop = end;
        int i = pos;
        for (;;) {
            // The common case: a run of plain ASCII.
            while (i < stop && CODES[bb[i] & 0xFF] == 0) {
                i++;
            }
            if (i >= stop) {
                pos = i;
                throw error("Unexpected end of the line in a string");
            }
            switch (CODES[bb[i] & 0xFF]) {
                case 1 -> {
                    strEnd = i;
                    pos = i + 1;
                    return;
                }
                case 2 -> {
                    strEscaped = true;
                    pos = i;
                    i = escape(i + 1);
                }
                case 3 -> {
                    pos = i;
                    throw error("Unescaped control character " + bb[i] + " in a string");
                }
                default -> i = checkUtf8 ? utf8(i) : i + 1;
            }
        }
    }

    /** Validates the escape whose letter is at i; returns the index after it. */
    private int escape(int i) {
        if (i >= end) {
            throw error("Unexpected end of the line in an escape");
        }
        byte e = b[i];
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 1;
            }
            case 'u' -> {
                if (i + 5 > end) {
                    throw error("Unexpected end of the line in an escape");
                }
                for (int k = 1; k <= 4; k++) {
                    if (hex(b[i + k]) < 0) {
                        throw error("Invalid \\u escape");
                    }
                }
                return i + 5;
            }
            default -> throw error("Invalid escape '\\" + printable(e) + "'");
        }
    }

    /** Validates one multi-byte UTF-8 sequence at i; returns the index after it. */
    private int utf8(int i) {
        int lead = b[i] & 0xFF;
        int extra;
        if (lead >= 0xC0 && lead <= 0xDF) {
            extra = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            extra = 2;
        } else if (lead >= 0xF0 && lead <= 0xF7) {
            extra = 3;
        } else {
            throw error("Invalid UTF-8 start byte 0x" + Integer.toHexString(lead));
        }
        if (i + extra >= end) {
            throw error("Unexpected end of the line in a UTF-8 sequence");
        }
        for (int k = 1; k <= extra; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                throw error("Invalid UTF-8 middle byte 0x" + Integer.toHexString(b[i + k] & 0xFF));
            }
        }
        return i + extra + 1;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The last string, decoded. */
    private String decoded() {
        return decode(b, strStart, strEnd, strEscaped);
    }

    /**
     * Decodes the content of a JSON string this scanner validated: its raw UTF-8 bytes between the
     * quotes, escapes as sent.
     */
    static String decode(byte[] b, int strStart, int strEnd, boolean strEscaped) {
        if (!strEscaped) {
            return new String(b, strStart, strEnd - strStart, UTF_8);
        }
        StringBuilder sb = new StringBuilder(strEnd - strStart);
        int i = strStart;
        int runStart = i;
        while (i < strEnd) {
            if (b[i] != '\\') {
                i++;
                continue;
            }
            if (i > runStart) {
                sb.append(new String(b, runStart, i - runStart, UTF_8));
            }
            byte e = b[i + 1];
            switch (e) {
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) ((hex(b[i + 2]) << 12) | (hex(b[i + 3]) << 8) | (hex(b[i + 4]) << 4) | hex(b[i + 5])));
                    i += 4;
                }
                default -> sb.append((char) e); // " \ /
            }
            i += 2;
            runStart = i;
        }
        if (strEnd > runStart) {
            sb.append(new String(b, runStart, strEnd - runStart, UTF_8));
        }
        return sb.toString();
    }

    /** The last string, from the cache by its raw bytes when it has no escapes. */
    private String cachedString() {
        StringCache c = cache;
        if (c == null || strEscaped) {
            return decoded();
        }
        return c.get(b, strStart, strEnd - strStart);
    }

    // ---------------------------------------------------------------- bytes

    private void ws() {
        while (pos < end) {
            byte c = b[pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private byte peek() {
        if (pos >= end) {
            throw error("Unexpected end of the line");
        }
        return b[pos];
    }

    private byte next() {
        if (pos >= end) {
            throw error("Unexpected end of the line");
        }
        return b[pos++];
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("Expected '" + c + "'");
        }
    }

    private static String printable(byte c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : "0x" + Integer.toHexString(c & 0xFF);
    }

    private ProtocolException error(String problem) {
        return new ProtocolException("Malformed JSON (" + problem + " at byte " + pos + ")", null, null);
    }
}
