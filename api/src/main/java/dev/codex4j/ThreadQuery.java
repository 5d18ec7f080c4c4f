package dev.codex4j;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which stored threads {@link Codex#listThreads(ThreadQuery)} returns, one page at a time.
 *
 * <pre>{@code
 * ThreadPage page = codex.listThreads(new ThreadQuery(20, null, false, Map.of()));
 * while (page.nextCursor().isPresent()) {
 *     page = codex.listThreads(new ThreadQuery(20, page.nextCursor().get(), false, Map.of()));
 * }
 * }</pre>
 *
 * @param limit page size, or null for the server's default
 * @param cursor the {@code nextCursor} of the previous page, or null for the first
 * @param archived true to list only archived threads
 * @param extra further {@code thread/list} parameters by wire name (for example {@code cwd}, {@code searchTerm})
 */
public record ThreadQuery(@Nullable Integer limit, @Nullable String cursor, boolean archived,
        Map<String, JsonNode> extra) {

    /** Copies the map. */
    public ThreadQuery {
        extra = Params.copyExtra(new LinkedHashMap<>(extra));
    }

    /** @return the first page with the server's defaults */
    public static ThreadQuery defaults() {
        return new ThreadQuery(null, null, false, Map.of());
    }

    /** @return the page after the given cursor */
    public ThreadQuery after(String nextCursor) {
        return new ThreadQuery(limit, nextCursor, archived, extra);
    }

    void writeTo(ObjectNode p) {
        Params.put(p, "limit", limit);
        Params.put(p, "cursor", cursor);
        if (archived) {
            p.put("archived", true);
        }
        extra.forEach(p::set);
    }
}
