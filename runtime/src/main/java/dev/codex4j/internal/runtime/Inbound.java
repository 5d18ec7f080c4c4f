package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.internal.LineScanner;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.RoutingKeys;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message from the app-server as the dispatcher routed it: the line's UTF-8 bytes, its routing
 * keys, and, for a streaming delta, its item id and text, all read in the dispatcher's one pass
 * over the line. Decoding anything else is left to the consumer (on its own thread), so the
 * dispatcher never builds a tree for a notification. Immutable; the bytes must not be modified.
 *
 * <p>A plain streaming delta ({@link #isPlainDelta()}) is held lean, as the dispatcher's hot path
 * wants it: its keys (cached strings) and a copy of the delta's raw JSON string alone, not of the
 * whole line, and no {@code String} of its text until a consumer asks for one
 * ({@link #plainDelta()}; {@code run()} never does). {@link #bytes()} then rebuilds an equivalent
 * line on first ask (the same method and params; members the dispatcher skipped, such as
 * {@code jsonrpc}, are not kept). Nothing here refers to the dispatcher's read buffer: what an
 * {@code Inbound} holds is its own, so the buffer is reused at once.
 *
 * <pre>{@code
 * Inbound in = mailbox.take(Duration.ofSeconds(30));
 * if (in != null && in.isTurnCompleted()) {
 *     JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
 * }
 * }</pre>
 */
public final class Inbound {
    /** The only terminal message of a turn. */
    public static final String TURN_COMPLETED = "turn/completed";

    private final RoutingKeys.Kind kind;
    private final @Nullable RequestId id;
    private final @Nullable String method;
    private final @Nullable String threadId;
    private final @Nullable String turnId;
    /** The line's length on the wire. */
    private final int size;
    /** The line's bytes: a copy of the line, or, for a plain delta, rebuilt on first ask (then kept). */
    private volatile byte @Nullable [] line;
    private final @Nullable String deltaItemId;
    /** A plain delta's raw JSON string (between its quotes, escapes as sent), or null. */
    private final byte @Nullable [] deltaRaw;
    private final boolean deltaEscaped;

    private Inbound(LineScanner s, byte @Nullable [] line, int size, byte @Nullable [] deltaRaw) {
        this.kind = s.kind();
        this.id = s.id();
        this.method = s.method();
        this.threadId = s.threadId();
        this.turnId = s.turnId();
        this.size = size;
        this.line = line;
        this.deltaRaw = deltaRaw;
        this.deltaEscaped = deltaRaw != null && s.plainDeltaEscaped();
        this.deltaItemId = deltaRaw != null ? s.plainDeltaItemId() : null;
    }

    /**
     * Dispatcher: the message just scanned from {@code buffer}, holding nothing of the buffer: a
     * plain delta keeps a copy of its text's raw bytes, anything else a copy of the line.
     */
    static Inbound scanned(LineScanner s, byte[] buffer, int offset, int length) {
        byte[] raw = s.isPlainDelta() ? s.plainDeltaRaw() : null;
        if (raw != null) {
            return new Inbound(s, null, length, raw);
        }
        byte[] copy = new byte[length];
        System.arraycopy(buffer, offset, copy, 0, length);
        return new Inbound(s, copy, length, null);
    }

    /**
     * A message from a whole line (tests, synthetic messages).
     *
     * @param line one JSON-RPC message
     * @return the message with its keys
     * @throws dev.codex4j.errors.ProtocolException when the line is not a JSON-RPC message
     */
    public static Inbound of(String line) {
        Objects.requireNonNull(line, "line");
        byte[] bytes = line.getBytes(UTF_8);
        LineScanner s = new LineScanner();
        s.scan(bytes, 0, bytes.length);
        return scanned(s, bytes, 0, bytes.length);
    }

    /** @return the kind of message */
    public RoutingKeys.Kind kind() {
        return kind;
    }

    /** @return the request id (server requests and responses), or null */
    public @Nullable RequestId id() {
        return id;
    }

    /** @return the method, or {@code null} for responses */
    public @Nullable String method() {
        return method;
    }

    /** @return the thread the message names, or null */
    public @Nullable String threadId() {
        return threadId;
    }

    /** @return the turn the message names, or null */
    public @Nullable String turnId() {
        return turnId;
    }

    /** @return the routing keys (a new record per call) */
    public RoutingKeys keys() {
        return new RoutingKeys(kind, id, method, threadId, turnId);
    }

    /** @return whether this is the turn's terminal {@code turn/completed} */
    public boolean isTurnCompleted() {
        return kind == RoutingKeys.Kind.NOTIFICATION && TURN_COMPLETED.equals(method);
    }

    /**
     * The line's UTF-8 bytes, without the terminator; do not modify. For a plain delta, an
     * equivalent line rebuilt on the first call (its length may differ from {@link #size()}): use
     * the array's own length.
     *
     * @return the bytes
     */
    public byte[] bytes() {
        byte[] b = line;
        if (b == null) {
            b = rebuilt();
            line = b;
        }
        return b;
    }

    /** @return the size of the line on the wire, in bytes (what the budgets count) */
    public int size() {
        return size;
    }

    /** @return the line as text */
    public String text() {
        return new String(bytes(), UTF_8);
    }

    /** A plain delta's line: its method and its params (the four string members), as JSON. */
    private byte[] rebuilt() {
        byte[] raw = java.util.Objects.requireNonNull(deltaRaw);
        StringBuilder sb = new StringBuilder(96);
        sb.append("{\"method\":");
        quote(sb, method);
        sb.append(",\"params\":{");
        if (threadId != null) {
            sb.append("\"threadId\":");
            quote(sb, threadId);
            sb.append(',');
        }
        if (turnId != null) {
            sb.append("\"turnId\":");
            quote(sb, turnId);
            sb.append(',');
        }
        sb.append("\"itemId\":");
        quote(sb, deltaItemId);
        sb.append(",\"delta\":\"");
        byte[] head = sb.toString().getBytes(UTF_8);
        byte[] out = new byte[head.length + raw.length + 3];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(raw, 0, out, head.length, raw.length); // escapes as sent: already JSON
        out[out.length - 3] = '"';
        out[out.length - 2] = '}';
        out[out.length - 1] = '}';
        return out;
    }

    private static void quote(StringBuilder sb, @Nullable String s) {
        sb.append('"');
        String v = java.util.Objects.requireNonNull(s);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    /**
     * The text of a streaming delta, read by the dispatcher in the same pass as the keys: set only
     * when the params hold nothing but string {@code threadId}, {@code turnId}, {@code itemId} and
     * {@code delta} members, so that the delta, its item and its keys are the whole message.
     *
     * @return the delta's text, or null when the consumer must decode the line
     */
    public @Nullable String plainDelta() {
        byte[] raw = deltaRaw;
        return raw == null ? null : LineScanner.decodeRaw(raw, deltaEscaped);
    }

    /**
     * @return whether {@link #plainDelta()} is not null, without decoding the text (each call of
     *     {@code plainDelta()} decodes it again: call it once and keep the result)
     */
    public boolean isPlainDelta() {
        return deltaRaw != null;
    }

    /** @return the size in bytes of a plain delta's text as held (its raw JSON string), else 0 */
    public int plainDeltaBytes() {
        byte[] raw = deltaRaw;
        return raw == null ? 0 : raw.length;
    }

    /** @return the item id of a {@link #plainDelta()}, or null */
    public @Nullable String plainDeltaItemId() {
        return deltaItemId;
    }

    /**
     * Decodes the line. Each call decodes again: call it once and keep the result.
     *
     * @return the message
     * @throws dev.codex4j.errors.ProtocolException when the line is not a valid message
     */
    public JsonRpcMessage message() {
        byte[] b = bytes();
        return ProtocolCodec.decode(b, 0, b.length);
    }

    @Override
    public String toString() {
        return "Inbound[" + kind + (method != null ? " " + method : "") + (id != null ? " id " + id : "")
                + (turnId != null ? " turn " + turnId : threadId != null ? " thread " + threadId : "") + ", "
                + size + " bytes]";
    }
}
