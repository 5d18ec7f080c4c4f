package dev.codex4j.protocol.internal;

import dev.codex4j.protocol.JsonCodec;

/**
 * A codec that knows the name of its type, for error messages. The base of every generated codec.
 *
 * @param <T> the type
 */
public abstract class NamedCodec<T> implements JsonCodec<T> {
    private final String typeName;

    /** @param typeName the type's name as a user writes it, e.g. {@code ThreadItem.AgentMessage} */
    protected NamedCodec(String typeName) {
        this.typeName = typeName;
    }

    /** @return the type's name, e.g. {@code ThreadItem.AgentMessage} */
    public final String typeName() {
        return typeName;
    }

    @Override
    public String toString() {
        return "JsonCodec[" + typeName + "]";
    }
}
