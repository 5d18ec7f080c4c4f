package dev.codex4j;

import java.util.List;

/** What a real-CLI test checks is gone after close: app-server processes and the SDK's threads. */
final class Leftovers {
    private Leftovers() {}

    /** @return the app-server processes below this JVM */
    static List<ProcessHandle> appServers() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("app-server")).toList();
    }

    /** @return whether no thread of the SDK (nor of the JDK's HTTP client) is alive */
    static boolean noSdkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && (t.getName().startsWith("codex4j") || t.getName().startsWith("HttpClient-")));
    }
}
