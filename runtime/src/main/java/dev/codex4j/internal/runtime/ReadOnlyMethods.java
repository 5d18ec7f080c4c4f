package dev.codex4j.internal.runtime;

import java.util.Set;

/**
 * Requests that only read the server's state, so that sending one again after the server was lost
 * cannot do anything twice. A method missing here counts as one that acts (the safe side).
 *
 * <pre>{@code
 * boolean retrySafe = !written || ReadOnlyMethods.contains("thread/read");   // true
 * }</pre>
 */
public final class ReadOnlyMethods {
    private static final Set<String> METHODS = Set.of(
            "initialize", "thread/read", "thread/list", "thread/loaded/list", "thread/turns/list",
            "thread/items/list", "thread/items/read", "thread/search", "thread/searchOccurrences",
            "thread/goal/get", "thread/queue/list", "thread/attachment/list", "thread/memory/read",
            "thread/timeline/list", "thread/backgroundTerminals/list", "model/list", "account/read",
            "account/rateLimits/read", "account/usage/read", "config/read", "configRequirements/read",
            "skills/list", "hooks/list", "plugin/list", "plugin/read", "plugin/installed", "app/read", "app/list",
            "app/installed", "modelProvider/list", "collaborationMode/list", "experimentalFeature/list",
            "permissionProfile/list", "mcpServerStatus/list", "fs/readFile", "fs/getMetadata", "fs/readDirectory",
            "memory/status", "project/list", "project/read", "threadSection/list", "remoteControl/status/read",
            "server/diagnostics");

    private ReadOnlyMethods() {}

    /**
     * @param method a client request's method
     * @return whether it only reads
     */
    public static boolean contains(String method) {
        return METHODS.contains(method);
    }
}
