package dev.codex4j.protocol.internal;

import dev.codex4j.protocol.JsonCodec;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;

/**
 * Lets Jackson databind write a generated type with the type's own codec: every generated type is
 * annotated {@code @JsonSerialize(using = CodecSerializer.class)}.
 */
public final class CodecSerializer extends ValueSerializer<Object> {
    /** Jackson creates it; it finds the codec by the value's class. */
    public CodecSerializer() {}

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(Object value, JsonGenerator g, SerializationContext ctxt) {
        ((JsonCodec<Object>) Codecs.of(value.getClass())).write(value, g);
    }
}
