package dev.codex4j.runtime;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RoutingKeys;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message from the app-server as the dispatcher routed it: the raw line and its routing keys.
 * Decoding is left to the consumer, so the dispatcher never builds a tree for a notification.
 *
 * <pre>{@code
 * Inbound in = mailbox.take(Duration.ofSeconds(30));
 * if (in != null && "turn/completed".equals(in.keys().method())) {
 *     JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) in.message();
 * }
 * }</pre>
 *
 * @param keys the routing keys read from the line
 * @param line the JSON line, as received
 */
public record Inbound(RoutingKeys keys, String line) {

    /** Both required. */
    public Inbound {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(line, "line");
    }

    /**
     * Decodes the line. Each call decodes again: call it once and keep the result.
     *
     * @return the message
     * @throws dev.codex4j.protocol.ProtocolException when the line is not a valid message
     */
    public JsonRpcMessage message() {
        return ProtocolCodec.decode(line);
    }

    /** @return the method, or {@code null} for responses */
    public @Nullable String method() {
        return keys.method();
    }
}
