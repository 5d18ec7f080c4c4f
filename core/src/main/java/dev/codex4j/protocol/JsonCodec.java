package dev.codex4j.protocol;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.internal.Json;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.util.TokenBuffer;

/**
 * Reads and writes one protocol type as JSON, strictly: every generated type has one
 * ({@code ThreadItem.codec()}, {@code TurnStartParams.codec()}). Reading never coerces (a number
 * is not a string), fails on a missing required member, keeps members the type does not know in
 * {@code additionalProperties()} and the order of members as received, so that writing a value
 * that was read gives the same JSON.
 *
 * <pre>{@code
 * TurnStartParams p = TurnStartParams.codec().fromJson("{\"threadId\":\"t1\",\"input\":[]}");
 * String json = TurnStartParams.codec().toJson(p);
 * }</pre>
 *
 * <p>The generated types also carry Jackson annotations that delegate to their codec, so
 * {@code ProtocolCodec.mapper().treeToValue(node, ThreadItem.class)} binds the same way.
 *
 * @param <T> the type
 */
public interface JsonCodec<T> {
    /**
     * Reads a value whose first token is the parser's current token; on return the current token
     * is the value's last one ({@code END_OBJECT} for an object).
     *
     * @param p the parser
     * @return the value, never null
     * @throws DecodeException when the JSON does not bind (with the path from the parser's root)
     */
    T read(JsonParser p);

    /**
     * Writes a value.
     *
     * @param value the value
     * @param g the generator
     */
    void write(T value, JsonGenerator g);

    /**
     * @param json the JSON value
     * @return the bound value
     * @throws DecodeException naming the type when the JSON does not bind
     */
    default T fromJson(JsonNode json) {
        try (JsonParser p = json.traverse(ObjectReadContext.empty())) {
            p.nextToken();
            return read(p);
        } catch (DecodeException e) {
            throw new DecodeException(Json.subjectOf(this), e);
        } catch (StackOverflowError e) {
            throw new DecodeException(Json.subjectOf(this), new DecodeException("$", "nesting too deep", null));
        }
    }

    /**
     * @param json one JSON value
     * @return the bound value
     * @throws DecodeException naming the type when the JSON does not bind
     * @throws ProtocolException when the text is not JSON
     */
    default T fromJson(String json) {
        try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), json)) {
            return Json.readWhole(this, p);
        } catch (JacksonException e) {
            throw new ProtocolException("Malformed JSON (" + ProtocolCodec.firstLine(e) + ")", json, null);
        }
    }

    /**
     * @param json UTF-8 bytes of one JSON value
     * @param offset where it starts
     * @param length its length in bytes
     * @return the bound value
     * @throws DecodeException naming the type when the JSON does not bind
     * @throws ProtocolException when the bytes are not JSON
     */
    default T fromJson(byte[] json, int offset, int length) {
        try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), json, offset, length)) {
            return Json.readWhole(this, p);
        } catch (JacksonException e) {
            throw new ProtocolException("Malformed JSON (" + ProtocolCodec.firstLine(e) + ")",
                    new String(json, offset, length, StandardCharsets.UTF_8), null);
        }
    }

    /**
     * @param value the value
     * @return its JSON as a tree
     */
    default JsonNode toJsonNode(T value) {
        TokenBuffer b = TokenBuffer.forGeneration();
        write(value, b);
        try (JsonParser p = b.asParser(ObjectReadContext.empty())) {
            p.nextToken();
            return Json.readTree(p);
        }
    }

    /**
     * @param value the value
     * @return its JSON text, compact
     */
    default String toJson(T value) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(ObjectWriteContext.empty(), w)) {
            write(value, g);
        }
        return w.toString();
    }
}
