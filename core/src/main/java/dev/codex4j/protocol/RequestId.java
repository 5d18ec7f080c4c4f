package dev.codex4j.protocol;

import java.util.Objects;

/**
 * A JSON-RPC request id. The app-server echoes ids in the form they were sent, so an integer id
 * stays an integer and a string id stays a string ({@code 1} and {@code "1"} are different ids).
 *
 * <pre>{@code
 * RequestId id = RequestId.of(7);
 * }</pre>
 */
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
    record Num(long value) implements RequestId {
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
    record Str(String value) implements RequestId {
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
