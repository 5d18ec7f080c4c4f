package dev.codex4j.protocol;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/** Binds a JSON integer or string to a {@link RequestId}, keeping its form. */
final class RequestIdDeserializer extends ValueDeserializer<RequestId> {
    @Override
    public RequestId deserialize(JsonParser p, DeserializationContext ctxt) {
        return switch (p.currentToken()) {
            case VALUE_STRING -> RequestId.of(p.getString());
            case VALUE_NUMBER_INT -> RequestId.of(p.getLongValue());
            default -> (RequestId) ctxt.handleUnexpectedToken(RequestId.class, p);
        };
    }
}
