package dev.codex4j.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A JSON-RPC request id. The app-server echoes ids in the form they were sent, so an integer id
 * stays an integer and a string id stays a string ({@code 1} and {@code "1"} are different ids).
 * Jackson binds it from and to its plain JSON form (it appears inside payloads, e.g. in
 * {@code serverRequest/resolved}).
 *
 * <pre>{@code
 * RequestId id = RequestId.of(7);
 * }</pre>
 */
@JsonDeserialize(using = RequestIdDeserializer.class)
public sealed interface RequestId permits RequestId.Num, RequestId.Str {

    /** @return an integer id */
    static RequestId of(long value) {
        return new Num(value);
    }

    /** @return a string id */
    static RequestId of(String value) {
        return new Str(value);
    }

    /**
     * An integer id.
     *
     * @param value the id
     */
    record Num(@JsonValue long value) implements RequestId {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /**
     * A string id.
     *
     * @param value the id
     */
    record Str(@JsonValue String value) implements RequestId {
        /** @param value the id, not null */
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }
}
