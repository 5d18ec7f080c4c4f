package dev.codex4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One page of {@link Codex#listThreads()}.
 *
 * <pre>{@code
 * for (ThreadPage.Entry t : codex.listThreads().threads()) System.out.println(t.id() + " " + t.preview());
 * }</pre>
 *
 * @param threads the threads on this page
 * @param nextCursor the cursor of the next page, if there is one
 * @param raw the whole reply
 */
public record ThreadPage(List<Entry> threads, Optional<String> nextCursor, JsonNode raw) {

    /** Copies the list. */
    public ThreadPage {
        threads = List.copyOf(threads);
    }

    /**
     * One stored thread.
     *
     * @param id the thread id
     * @param name its name, or null
     * @param preview the start of its first message, or null
     * @param raw the thread as sent
     */
    public record Entry(String id, @Nullable String name, @Nullable String preview, JsonNode raw) {}

    static ThreadPage of(JsonNode r) {
        List<Entry> list = new ArrayList<>();
        for (JsonNode t : r.path("data")) {
            list.add(new Entry(t.path("id").asString(""), text(t, "name"), text(t, "preview"), t));
        }
        return new ThreadPage(list, Optional.ofNullable(text(r, "nextCursor")), r);
    }

    private static @Nullable String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && v.isString() ? v.asString() : null;
    }
}
