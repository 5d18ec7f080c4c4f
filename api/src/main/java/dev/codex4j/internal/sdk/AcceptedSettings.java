package dev.codex4j.internal.sdk;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per thread id, the settings a supervised client's server accepted through
 * {@code thread/settings/update}, merged into one set of params: each member as the latest accepted
 * update gave it (a member an update did not send keeps the earlier one, as on the server). After a
 * restart the {@link Session} sends them again right after {@code thread/resume}, so that the
 * resumed thread keeps its latest settings and not only the options it was started with.
 *
 * <p>Kept as the params' JSON (without {@code threadId}), so that members set through
 * {@code ThreadSettings.Builder.params} are kept too. Thread-safe: a concurrent map, each merge
 * atomic for its thread; written by whichever thread's {@code updateSettings} got the server's
 * reply, read by whichever thread resumes the thread. An archived thread is forgotten.
 */
final class AcceptedSettings {
    private final ConcurrentHashMap<String, ObjectNode> byThread = new ConcurrentHashMap<>();

    /**
     * The server accepted an update of the thread's settings.
     *
     * @param threadId the thread
     * @param params the update's params as sent
     */
    void accepted(String threadId, JsonNode params) {
        if (!(params instanceof ObjectNode o)) {
            return; // the generated params are always an object
        }
        ObjectNode update = o.deepCopy();
        update.remove("threadId");
        byThread.merge(threadId, update, (before, latest) -> {
            ObjectNode merged = before.deepCopy();
            merged.setAll(latest);
            return merged;
        });
    }

    /**
     * @param threadId the thread
     * @return {@code thread/settings/update}'s params that restore its latest settings, or null
     *     when none were changed through this client
     */
    @Nullable ObjectNode paramsFor(String threadId) {
        ObjectNode s = byThread.get(threadId);
        if (s == null) {
            return null;
        }
        ObjectNode p = s.deepCopy();
        p.put("threadId", threadId);
        return p;
    }

    /** The thread was archived: its settings are no longer restored. */
    void forget(String threadId) {
        byThread.remove(threadId);
    }
}
