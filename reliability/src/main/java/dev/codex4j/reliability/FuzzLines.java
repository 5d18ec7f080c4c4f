package dev.codex4j.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

/**
 * Bad lines from a server, each ending with {@code \n}: grammar-aware ones (valid JSON with wrong
 * shapes and types, unknown methods, bad ids, huge and deep values, lone surrogates) and
 * byte-level ones (random bytes, invalid UTF-8, truncated lines, CR/LF games, NULs and a BOM).
 * They never name a real turn (fuzzed turn ids start with {@code fz-} or are not strings) and never
 * reuse a client request id (fuzzed reply ids are strings, negative, non-integral or above
 * 10^12), so a client that handles them right keeps every real turn and call whole. Deterministic
 * for a seed. Not thread-safe.
 *
 * <pre>{@code
 * FuzzLines fuzz = new FuzzLines(new Random(1), List.of(realThreadId), 4 << 20);
 * byte[] line = fuzz.next();
 * }</pre>
 */
public final class FuzzLines {
    /** The kinds of bad line, for the report. */
    public enum Kind {
        /** valid JSON, known method, fields of the wrong type or shape */
        WRONG_SHAPE,
        /** valid JSON-RPC with a method nobody knows */
        UNKNOWN_METHOD,
        /** a reply whose id no request has (string, negative, fractional, huge, array, null) */
        BAD_ID,
        /** a server request for a thread or turn that does not exist */
        STRAY_REQUEST,
        /** JSON that is not a JSON-RPC object (arrays, scalars, empty objects, duplicate keys) */
        NOT_AN_OBJECT,
        /** a value of megabytes */
        HUGE,
        /** nesting hundreds to thousands deep */
        DEEP,
        /** strings with lone UTF-16 surrogate escapes */
        LONE_SURROGATE,
        /** random bytes */
        RANDOM_BYTES,
        /** otherwise valid JSON with invalid UTF-8 in a string */
        INVALID_UTF8,
        /** a valid line cut short */
        TRUNCATED,
        /** CR, CRLF, empty and blank lines, a BOM, NUL and control bytes */
        CR_LF
    }

    private static final String[] METHODS = {"item/agentMessage/delta", "item/completed", "item/started",
            "turn/started", "turn/completed", "thread/status/changed", "error", "thread/tokenUsage/updated",
            "serverRequest/resolved", "account/rateLimits/updated"};

    private final Random random;
    private final List<String> realThreadIds;
    private final int hugeBytes;
    private final long[] counts = new long[Kind.values().length];
    private long n;

    /**
     * @param random the source of randomness
     * @param realThreadIds thread ids of real turns, used now and then with a fuzzed turn id
     * @param hugeBytes the size of a huge value
     */
    public FuzzLines(Random random, List<String> realThreadIds, int hugeBytes) {
        this.random = random;
        this.realThreadIds = realThreadIds;
        this.hugeBytes = hugeBytes;
    }

    /** @return how many lines of each kind were made */
    public long count(Kind kind) {
        return counts[kind.ordinal()];
    }

    /** @return the next bad line, ending with {@code \n} */
    public byte[] next() {
        n++;
        // A huge one every 100,000 lines (and the 10th), a deep one every 1,000.
        Kind kind;
        if (n % 100_000 == 10) {
            kind = Kind.HUGE;
        } else if (n % 1_000 == 7) {
            kind = Kind.DEEP;
        } else {
            int k = random.nextInt(100);
            kind = k < 18 ? Kind.WRONG_SHAPE
                    : k < 26 ? Kind.UNKNOWN_METHOD
                    : k < 34 ? Kind.BAD_ID
                    : k < 35 ? Kind.STRAY_REQUEST
                    : k < 42 ? Kind.NOT_AN_OBJECT
                    : k < 48 ? Kind.LONE_SURROGATE
                    : k < 62 ? Kind.RANDOM_BYTES
                    : k < 74 ? Kind.INVALID_UTF8
                    : k < 88 ? Kind.TRUNCATED
                    : Kind.CR_LF;
        }
        counts[kind.ordinal()]++;
        byte[] body = switch (kind) {
            case WRONG_SHAPE -> wrongShape().getBytes(UTF_8);
            case UNKNOWN_METHOD -> ("{\"method\":\"fz/" + word() + "/" + random.nextInt(1000) + "\",\"params\":"
                    + value(2) + "}").getBytes(UTF_8);
            case BAD_ID -> badReply().getBytes(UTF_8);
            case STRAY_REQUEST -> ("{\"id\":\"fz-req-" + n + "\",\"method\":\""
                    + (random.nextBoolean() ? "item/commandExecution/requestApproval" : "fz/request/" + word())
                    + "\",\"params\":{\"threadId\":" + threadId() + ",\"turnId\":" + turnId() + ",\"itemId\":"
                    + value(1) + ",\"command\":" + value(1) + "}}").getBytes(UTF_8);
            case NOT_AN_OBJECT -> notAnObject().getBytes(UTF_8);
            case HUGE -> huge().getBytes(UTF_8);
            case DEEP -> deep().getBytes(UTF_8);
            case LONE_SURROGATE -> loneSurrogate().getBytes(UTF_8);
            case RANDOM_BYTES -> randomBytes();
            case INVALID_UTF8 -> invalidUtf8();
            case TRUNCATED -> truncated();
            case CR_LF -> crLf();
        };
        byte[] line = new byte[body.length + 1];
        System.arraycopy(body, 0, line, 0, body.length);
        line[body.length] = '\n';
        return line;
    }

    private String wrongShape() {
        String method = METHODS[random.nextInt(METHODS.length)];
        StringBuilder p = new StringBuilder("{");
        // Each routing field is right, missing, or of the wrong type.
        appendField(p, "threadId", threadId());
        appendField(p, "turnId", turnId());
        if (method.equals("turn/started") || method.equals("turn/completed")) {
            appendField(p, "turn", random.nextBoolean() ? "{\"id\":" + turnId() + ",\"status\":" + value(1) + "}"
                    : value(2));
        }
        appendField(p, "itemId", value(1));
        appendField(p, "delta", value(1));
        appendField(p, "item", value(2));
        if (p.length() > 1 && p.charAt(p.length() - 1) == ',') {
            p.setLength(p.length() - 1);
        }
        p.append('}');
        String params = random.nextInt(10) == 0 ? value(1) : p.toString();
        return "{\"method\":\"" + method + "\",\"params\":" + params
                + (random.nextBoolean() ? ",\"emittedAtMs\":" + value(0) : "") + "}";
    }

    private void appendField(StringBuilder p, String name, String value) {
        if (random.nextInt(5) != 0) {
            p.append('"').append(name).append("\":").append(value).append(',');
        }
    }

    private String threadId() {
        int k = random.nextInt(10);
        if (k == 0 && !realThreadIds.isEmpty()) {
            return "\"" + realThreadIds.get(random.nextInt(realThreadIds.size())) + "\"";
        }
        return k < 7 ? "\"fz-thread-" + random.nextInt(50) + "\"" : value(1);
    }

    /** A fuzzed turn id: never a real one. */
    private String turnId() {
        int k = random.nextInt(10);
        return k < 7 ? "\"fz-turn-" + random.nextInt(20_000) + "\"" : nonStringValue(1);
    }

    private String badReply() {
        String id = switch (random.nextInt(9)) {
            case 0 -> "\"fz-" + random.nextInt(1000) + "\"";
            case 1 -> Long.toString(-1 - random.nextInt(1_000_000));
            case 2 -> random.nextInt(100_000) + ".5";
            case 3 -> Long.toString(1_000_000_000_000L + random.nextInt(1_000_000));
            case 4 -> "1e400";
            case 5 -> "[" + random.nextInt(10) + "]";
            case 6 -> "{\"id\":1}";
            case 7 -> "null";
            default -> "true";
        };
        return random.nextBoolean() ? "{\"id\":" + id + ",\"result\":" + value(2) + "}"
                : "{\"id\":" + id + ",\"error\":" + (random.nextBoolean()
                        ? "{\"code\":" + value(0) + ",\"message\":" + value(0) + "}" : value(1)) + "}";
    }

    private String notAnObject() {
        return switch (random.nextInt(8)) {
            case 0 -> "[]";
            case 1 -> "[" + value(2) + "," + value(1) + "]";
            case 2 -> "{}";
            case 3 -> Integer.toString(random.nextInt());
            case 4 -> "\"just a string\"";
            case 5 -> "null";
            case 6 -> "{\"method\":\"turn/completed\",\"method\":5,\"params\":{},\"params\":[]}";
            default -> "{\"jsonrpc\":\"1.0\",\"method\":null,\"params\":null,\"id\":null}";
        };
    }

    private String huge() {
        String big = "x".repeat(hugeBytes);
        return random.nextBoolean()
                ? "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"fz-thread-1\",\"turnId\":\"fz-turn-huge-"
                        + n + "\",\"itemId\":\"i\",\"delta\":\"" + big + "\"}}"
                : "{\"method\":\"fz/huge\",\"params\":{\"" + big + "\":1}}";
    }

    private String deep() {
        int depth = 100 + random.nextInt(4_900);
        StringBuilder sb = new StringBuilder("{\"method\":\"item/completed\",\"params\":{\"threadId\":\"fz-thread-2\","
                + "\"turnId\":\"fz-turn-deep\",\"item\":");
        sb.append("[".repeat(depth));
        if (random.nextBoolean()) {
            sb.append("]".repeat(depth)).append("}}");
        } // else: never closed
        return sb.toString();
    }

    private String loneSurrogate() {
        String s = random.nextBoolean() ? "\\ud800" : "a\\udfffb\\ud83d";
        return switch (random.nextInt(3)) {
            case 0 -> "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"fz-thread-3\",\"turnId\":\"fz-turn-"
                    + random.nextInt(100) + "\",\"itemId\":\"i\",\"delta\":\"" + s + "\"}}";
            case 1 -> "{\"method\":\"" + s + "\",\"params\":{}}";
            default -> "{\"id\":\"" + s + "\",\"result\":{}}";
        };
    }

    private byte[] randomBytes() {
        byte[] b = new byte[1 + random.nextInt(200)];
        random.nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                b[i] = ' ';
            }
        }
        return b;
    }

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90,
            (byte) 0x80, (byte) 0x80}};

    private byte[] invalidUtf8() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String where = switch (random.nextInt(3)) {
            case 0 -> "delta";
            case 1 -> "turnId";
            default -> "method";
        };
        String prefix = where.equals("method") ? "{\"method\":\"item/agent" : "{\"method\":\"item/agentMessage/delta\","
                + "\"params\":{\"threadId\":\"fz-thread-4\",\"itemId\":\"i\",\"" + (where.equals("delta")
                        ? "turnId\":\"fz-turn-" + random.nextInt(100) + "\",\"delta\":\"ab" : "turnId\":\"fz-turn-");
        out.writeBytes(prefix.getBytes(UTF_8));
        out.writeBytes(BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
        out.writeBytes((where.equals("method") ? "\",\"params\":{}}" : "cd\"}}").getBytes(UTF_8));
        return out.toByteArray();
    }

    private byte[] truncated() {
        byte[] whole = wrongShape().getBytes(UTF_8);
        return java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
    }

    private byte[] crLf() {
        String valid = "{\"method\":\"fz/crlf\",\"params\":{\"threadId\":\"fz-thread-5\"}}";
        return switch (random.nextInt(8)) {
            case 0 -> (valid + "\r").getBytes(UTF_8);
            case 1 -> "\r".getBytes(UTF_8);
            case 2 -> new byte[0];
            case 3 -> "\r\r\r  \t ".getBytes(UTF_8);
            case 4 -> valid.replace(",", ",\r").getBytes(UTF_8);
            case 5 -> ("\uFEFF" + valid).getBytes(UTF_8);
            case 6 -> "{\"method\":\"fz/nul\u0000\",\"params\":{\"x\":\"\u0001\u001f\"}}".getBytes(UTF_8);
            default -> (valid + "\r\r").getBytes(UTF_8);
        };
    }

    /** A random JSON value of bounded depth. */
    private String value(int depth) {
        int k = random.nextInt(depth > 0 ? 9 : 6);
        return switch (k) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Integer.toString(random.nextInt());
            case 3 -> random.nextBoolean() ? "1e400" : "-0.0";
            case 4, 5 -> "\"fz-" + word() + "\"";
            case 6 -> "[" + value(depth - 1) + "," + value(depth - 1) + "]";
            case 7 -> "{\"" + word() + "\":" + value(depth - 1) + "}";
            default -> "{}";
        };
    }

    private String nonStringValue(int depth) {
        String v;
        do {
            v = value(depth);
        } while (v.startsWith("\""));
        return v;
    }

    private String word() {
        return Integer.toString(random.nextInt(1 << 20), 36);
    }
}
