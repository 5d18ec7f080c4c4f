package dev.codex4j.protocol.internal;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;

/**
 * Lets Jackson databind read a generated type with the type's own strict codec: every generated
 * type is annotated {@code @JsonDeserialize(using = CodecDeserializer.class)}.
 */
public final class CodecDeserializer extends ValueDeserializer<Object> {
    private final @Nullable JsonCodec<?> codec;

    /** The unresolved instance Jackson creates; it resolves itself per type in {@link #createContextual}. */
    public CodecDeserializer() {
        this.codec = null;
    }

    private CodecDeserializer(JsonCodec<?> codec) {
        this.codec = codec;
    }

    @Override
    public ValueDeserializer<?> createContextual(DeserializationContext ctxt, @Nullable BeanProperty property) {
        JavaType t = ctxt.getContextualType();
        if (t == null && property != null) {
            t = property.getType();
        }
        if (t == null) {
            return this;
        }
        return new CodecDeserializer(Codecs.of(t.getRawClass()));
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) {
        if (codec == null) {
            throw new IllegalStateException("CodecDeserializer used without a type");
        }
        try {
            return codec.read(p);
        } catch (DecodeException e) {
            // Readers throw without a stack trace; the caller of databind gets one, and the type's name.
            throw e.subject() != null ? e : new DecodeException(Json.subjectOf(codec), e);
        }
    }
}
