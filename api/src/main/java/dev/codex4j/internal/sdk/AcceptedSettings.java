package dev.codex4j.internal.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per thread id, the settings a supervised client sent to its server that the server keeps for the
 * thread's later turns, merged into one set of {@code thread/settings/update} params: each member as
 * the latest update gave it (a member an update did not send keeps the earlier one, as on the
 * server). Two requests give them: {@code thread/settings/update} (every member) and
 * {@code turn/start} (its members the server keeps "for this turn and subsequent turns":
 * {@link #TURN_STICKY}). After a restart the {@link Session} sends them again right after
 * {@code thread/resume}, so that the resumed thread keeps its latest settings and not only the
 * options it was started with.
 *
 * <p>An update is recorded <em>before</em> its request is sent ({@link #sending}), as in flight,
 * and a resume sends the in-flight ones too: a resume on a new link that runs between the server's
 * reply and the caller's return cannot miss it. The caller then settles it: {@link #accepted} (the
 * reply came, or none can come while the server may have applied it: written, then the link lost)
 * or {@link #failed} (the server refused it or never got it: no longer restored). In-flight updates are merged in the order they were
 * recorded; an accepted one is folded into the settled ones once every update recorded before it
 * is settled.
 *
 * <p>Kept as the params' JSON (without {@code threadId}), so that members set through
 * {@code ThreadSettings.Builder.params} or {@code TurnOptions.Builder.params} are kept too.
 * {@code sandboxPolicy} and {@code permissions} exclude each other (the server refuses both): the
 * latest one given wins and drops the other.
 *
 * <p>Thread-safe and lock-free: per thread one {@link AtomicReference} to an immutable state,
 * replaced by compare-and-set (its JSON nodes are never changed once published); written by
 * whichever thread sends an update or starts a turn, read by whichever thread resumes the thread.
 * An archived thread is forgotten.
 */
final class AcceptedSettings {
    /**
     * The {@code turn/start} members that 0.171.0 keeps for the thread's later turns and that
     * {@code thread/settings/update} takes (docs/PROTOCOL.md, "Per-turn settings").
     */
    static final Set<String> TURN_STICKY = Set.of("model", "effort", "summary", "approvalPolicy",
            "approvalsReviewer", "sandboxPolicy", "permissions", "cwd", "serviceTier", "environments",
            "disabledPluginIds");

    /** One update, in flight ({@code accepted} false) or accepted but not yet folded. */
    private record Entry(Object token, ObjectNode update, boolean accepted) {
        Entry accept() {
            return new Entry(token, update, true);
        }
    }

    /** A thread's settled settings and its updates not yet folded into them, in recorded order. */
    private record State(ObjectNode settled, List<Entry> entries) {
        static final State EMPTY = new State(JsonNodeFactory.instance.objectNode(), List.of());
    }

    private final ConcurrentHashMap<String, AtomicReference<State>> byThread = new ConcurrentHashMap<>();

    /**
     * Records an update about to be sent, as in flight.
     *
     * @param threadId the thread
     * @param params the request's params as they will be sent
     * @param turnStart whether they are {@code turn/start}'s (only its {@link #TURN_STICKY} members count)
     * @return the token to settle it with ({@link #accepted}, {@link #failed}), or null when it
     *     changes no setting the server keeps (nothing to settle)
     */
    @Nullable Object sending(String threadId, JsonNode params, boolean turnStart) {
        if (!(params instanceof ObjectNode o)) {
            return null; // the generated params are always an object
        }
        ObjectNode update = JsonNodeFactory.instance.objectNode();
        o.properties().forEach(e -> {
            if (!e.getKey().equals("threadId") && (!turnStart || TURN_STICKY.contains(e.getKey()))) {
                update.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (update.isEmpty()) {
            return null;
        }
        Object token = new Object();
        Entry entry = new Entry(token, update, false);
        byThread.computeIfAbsent(threadId, k -> new AtomicReference<>(State.EMPTY)).updateAndGet(s -> {
            List<Entry> entries = new ArrayList<>(s.entries());
            entries.add(entry);
            return new State(s.settled(), List.copyOf(entries));
        });
        return token;
    }

    /**
     * The server accepted the update.
     *
     * @param threadId the thread
     * @param token what {@link #sending} gave (null: nothing)
     */
    void accepted(String threadId, @Nullable Object token) {
        settle(threadId, token, true);
    }

    /**
     * The update's request failed and the server did not apply it (refused, or never sent): it is
     * no longer restored.
     *
     * @param threadId the thread
     * @param token what {@link #sending} gave (null: nothing)
     */
    void failed(String threadId, @Nullable Object token) {
        settle(threadId, token, false);
    }

    private void settle(String threadId, @Nullable Object token, boolean accepted) {
        AtomicReference<State> ref = token == null ? null : byThread.get(threadId);
        if (ref == null) {
            return; // forgotten meanwhile (archived)
        }
        ref.updateAndGet(s -> {
            List<Entry> entries = new ArrayList<>(s.entries().size());
            for (Entry e : s.entries()) {
                if (e.token() != token) {
                    entries.add(e);
                } else if (accepted) {
                    entries.add(e.accept());
                }
            }
            ObjectNode settled = s.settled();
            int folded = 0;
            while (folded < entries.size() && entries.get(folded).accepted()) {
                settled = merge(settled, entries.get(folded++).update());
            }
            return new State(settled, List.copyOf(entries.subList(folded, entries.size())));
        });
    }

    /**
     * @param threadId the thread
     * @return {@code thread/settings/update}'s params that restore its latest settings (the
     *     accepted ones and those in flight), or null when none were changed through this client
     */
    @Nullable ObjectNode paramsFor(String threadId) {
        AtomicReference<State> ref = byThread.get(threadId);
        if (ref == null) {
            return null;
        }
        State s = ref.get();
        ObjectNode p = s.settled();
        for (Entry e : s.entries()) {
            p = merge(p, e.update());
        }
        if (p.isEmpty()) {
            return null;
        }
        p = p.deepCopy();
        p.put("threadId", threadId);
        return p;
    }

    /** A new node: {@code before} with each member of {@code latest} over it. */
    private static ObjectNode merge(ObjectNode before, ObjectNode latest) {
        ObjectNode merged = before.deepCopy();
        if (latest.has("sandboxPolicy")) {
            merged.remove("permissions");
        }
        if (latest.has("permissions")) {
            merged.remove("sandboxPolicy");
        }
        merged.setAll(latest);
        return merged;
    }

    /** The thread was archived: its settings are no longer restored. */
    void forget(String threadId) {
        byThread.remove(threadId);
    }
}
