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
    private final byte[] line;
    private final @Nullable String deltaItemId;
    private final @Nullable String delta;

    private Inbound(LineScanner s, byte[] line) {
        this.kind = s.kind();
        this.id = s.id();
        this.method = s.method();
        this.threadId = s.threadId();
        this.turnId = s.turnId();
        this.line = line;
        this.delta = s.plainDelta();
        this.deltaItemId = s.plainDeltaItemId();
    }

    /** Dispatcher: the message just scanned, with its own copy of the line's bytes. */
    static Inbound scanned(LineScanner s, byte[] buffer, int offset, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(buffer, offset, copy, 0, length);
        return new Inbound(s, copy);
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
        return new Inbound(s, bytes);
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

    /** @return the line's UTF-8 bytes, without the terminator; do not modify */
    public byte[] bytes() {
        return line;
    }

    /** @return the size of the line in bytes */
    public int size() {
        return line.length;
    }

    /** @return the line as text */
    public String text() {
        return new String(line, UTF_8);
    }

    /**
     * The text of a streaming delta, read by the dispatcher in the same pass as the keys: set only
     * when the params hold nothing but string {@code threadId}, {@code turnId}, {@code itemId} and
     * {@code delta} members, so that the delta, its item and its keys are the whole message.
     *
     * @return the delta's text, or null when the consumer must decode the line
     */
    public @Nullable String plainDelta() {
        return delta;
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
        return ProtocolCodec.decode(line, 0, line.length);
    }

    @Override
    public String toString() {
        return "Inbound[" + kind + (method != null ? " " + method : "") + (id != null ? " id " + id : "")
                + (turnId != null ? " turn " + turnId : threadId != null ? " thread " + threadId : "") + ", "
                + line.length + " bytes]";
    }
}
