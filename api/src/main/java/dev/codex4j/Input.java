package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One piece of user input for a turn: text, an image by URL, a local image, a skill or a mention.
 *
 * <pre>{@code
 * thread.run(List.of(Input.text("What is in this picture?"), Input.localImage(Path.of("cat.png"))));
 * }</pre>
 */
public sealed interface Input {

    /** @return text input */
    static Input text(String text) {
        return new Text(text);
    }

    /** @return an image the model fetches by URL (also {@code data:} URLs) */
    static Input image(String url) {
        return new Image(url);
    }

    /** @return an image read from a local file by the app-server */
    static Input localImage(Path path) {
        return new LocalImage(path);
    }

    /** @return a skill to use in this turn, by name and the path of its SKILL.md */
    static Input skill(String name, Path path) {
        return new Skill(name, path);
    }

    /** @return a mention of a resource (for example an app or file), by name and path */
    static Input mention(String name, String path) {
        return new Mention(name, path);
    }

    /** @return the wire form of this input */
    JsonNode toJson();

    /** @return the wire form of a list of inputs */
    static ArrayNode toJson(List<? extends Input> inputs) {
        ArrayNode a = ProtocolCodec.mapper().createArrayNode();
        for (Input i : inputs) {
            a.add(Objects.requireNonNull(i, "input element").toJson());
        }
        return a;
    }

    /** @throws IllegalArgumentException at the first unpaired surrogate */
    private static void checkSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("the text has an unpaired high surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ") at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("the text has an unpaired low surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ") at index " + i);
            }
        }
    }

    /** The wire object: {@code type} and then name/value pairs. */
    private static ObjectNode wire(String type, String... namesAndValues) {
        ObjectNode o = ProtocolCodec.emptyObject();
        o.put("type", type);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            o.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return o;
    }

    /** @param text the text */
    record Text(String text) implements Input {
        /**
         * @param text not null, and valid UTF-16: a lone surrogate cannot be sent (it would reach the
         *     model as {@code ?})
         * @throws IllegalArgumentException naming the index of a lone surrogate
         */
        public Text {
            Objects.requireNonNull(text, "text");
            checkSurrogates(text);
        }

        @Override
        public JsonNode toJson() {
            return wire("text", "text", text);
        }
    }

    /** @param url an http(s) or data URL */
    record Image(String url) implements Input {
        /** @param url not null */
        public Image {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public JsonNode toJson() {
            return wire("image", "url", url);
        }
    }

    /** @param path a file the app-server can read */
    record LocalImage(Path path) implements Input {
        /** @param path not null */
        public LocalImage {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public JsonNode toJson() {
            return wire("localImage", "path", path.toAbsolutePath().toString());
        }
    }

    /**
     * @param name the skill's name
     * @param path the path of the skill's SKILL.md
     */
    record Skill(String name, Path path) implements Input {
        /** @param name not null @param path not null */
        public Skill {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public JsonNode toJson() {
            return wire("skill", "name", name, "path", path.toString());
        }
    }

    /**
     * @param name the display name
     * @param path the resource's path (for example {@code app://id} or a file path)
     */
    record Mention(String name, String path) implements Input {
        /** @param name not null @param path not null */
        public Mention {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public JsonNode toJson() {
            return wire("mention", "name", name, "path", path);
        }
    }
}
