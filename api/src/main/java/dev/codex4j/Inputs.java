package dev.codex4j;

import dev.codex4j.protocol.types.UserInput;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Short forms of the common turn inputs. Each returns the generated protocol type
 * {@link UserInput}; anything else it can hold (an image's {@code detail}, audio, a file id) is
 * one builder away ({@code UserInput.Image.builder()...build()}).
 *
 * <pre>{@code
 * thread.run(List.of(Inputs.text("What is in this picture?"), Inputs.localImage(Path.of("cat.png"))));
 * }</pre>
 */
public final class Inputs {
    private Inputs() {}

    /**
     * @param text the text; valid UTF-16 (a lone surrogate would reach the model as {@code ?})
     * @return text input
     * @throws IllegalArgumentException naming the index of a lone surrogate
     */
    public static UserInput.Text text(String text) {
        return UserInput.Text.builder().text(checkText(Objects.requireNonNull(text, "text"))).build();
    }

    /**
     * @param url an http(s) or {@code data:} URL
     * @return an image the model fetches by URL
     */
    public static UserInput.Image image(String url) {
        return UserInput.Image.builder().url(Objects.requireNonNull(url, "url")).build();
    }

    /**
     * @param path a file the app-server can read (made absolute against this JVM's working directory)
     * @return an image the app-server reads from a local file
     */
    public static UserInput.LocalImage localImage(Path path) {
        return UserInput.LocalImage.builder().path(path.toAbsolutePath().toString()).build();
    }

    /**
     * @param name the skill's name
     * @param path the path of its {@code SKILL.md}
     * @return a skill to use in this turn
     */
    public static UserInput.Skill skill(String name, Path path) {
        return UserInput.Skill.builder().name(name).path(path.toString()).build();
    }

    /**
     * @param name the display name
     * @param path the resource's path (for example {@code app://id} or a file path)
     * @return a mention of a resource
     */
    public static UserInput.Mention mention(String name, String path) {
        return UserInput.Mention.builder().name(name).path(path).build();
    }

    /**
     * Checks what a turn sends: at least one input, no null element, and text that is valid UTF-16.
     *
     * @throws IllegalArgumentException when the list is empty or a text holds a lone surrogate
     */
    static List<UserInput> check(List<? extends UserInput> input) {
        if (input.isEmpty()) {
            throw new IllegalArgumentException("a turn needs at least one input");
        }
        for (UserInput i : input) {
            if (Objects.requireNonNull(i, "input element") instanceof UserInput.Text t) {
                checkText(t.text());
            }
        }
        return List.copyOf(input);
    }

    /** @throws IllegalArgumentException at the first unpaired surrogate */
    private static String checkText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("the text has an unpaired high surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ") at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("the text has an unpaired low surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ") at index " + i);
            }
        }
        return s;
    }
}
