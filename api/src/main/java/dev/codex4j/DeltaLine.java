package dev.codex4j;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.ProtocolCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;

/**
 * The consumer's fast path for {@code item/agentMessage/delta}, almost every line of a turn: reads
 * {@code params.itemId} and {@code params.delta} with a streaming parser instead of building a
 * tree. It answers only for the plain shape; for anything else (a member of another type, a
 * repeated {@code params}, an error) it returns null and the caller decodes the tree, so events are exactly those of
 * {@link TurnFold#accept(String, tools.jackson.databind.JsonNode)}.
 */
final class DeltaLine {
    static final String METHOD = "item/agentMessage/delta";
    private static final TokenStreamFactory FACTORY = ProtocolCodec.mapper().tokenStreamFactory();

    private DeltaLine() {}

    /** Says that the bytes hold a '?' where the chars may hold a lone surrogate. */
    private static final TurnEvent.AgentMessageDelta READ_CHARS = new TurnEvent.AgentMessageDelta("?", "?");

    /** @return the line's event, or null when the tree must decide */
    static TurnEvent.@Nullable AgentMessageDelta read(String line) {
        // Bytes first: Jackson's byte parser is the faster one, encoding included. Encoding turns
        // a lone surrogate into '?', so a value with a '?' is read again from the chars.
        TurnEvent.AgentMessageDelta d = read(FACTORY.createParser(ObjectReadContext.empty(), line.getBytes(UTF_8)), true);
        return d != READ_CHARS ? d : read(FACTORY.createParser(ObjectReadContext.empty(), line), false);
    }

    private static TurnEvent.@Nullable AgentMessageDelta read(JsonParser parser, boolean fromBytes) {
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String itemId = "";
            String delta = "";
            boolean paramsSeen = false;
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                if (name.equals("params")) {
                    if (paramsSeen || t != JsonToken.START_OBJECT) {
                        return null;
                    }
                    paramsSeen = true;
                    while ((name = p.nextName()) != null) {
                        t = p.nextToken();
                        if (name.equals("itemId") || name.equals("delta")) {
                            if (t != JsonToken.VALUE_STRING) {
                                return null;
                            }
                            String s = p.getString();
                            if (fromBytes && s.indexOf('?') >= 0) {
                                return READ_CHARS;
                            }
                            if (name.equals("itemId")) {
                                itemId = s;
                            } else {
                                delta = s;
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (!paramsSeen || p.nextToken() != null) {
                return null;
            }
            return new TurnEvent.AgentMessageDelta(itemId, delta);
        } catch (JacksonException | StackOverflowError e) {
            return null;
        }
    }
}
