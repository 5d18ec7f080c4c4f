package dev.codex4j.examples;

import dev.codex4j.ApprovalMode;
import dev.codex4j.SandboxPreset;
import dev.codex4j.ThreadSettings;

/**
 * Changing a running thread's settings: the model's reasoning effort, approvals and sandbox for
 * its next turns ({@code thread/settings/update}, experimental).
 */
public final class LiveSettings {
    private LiveSettings() {}

    /** @param args none */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> { }, b -> b.experimentalApi(true))) {
            var thread = session.codex().startThread();
            System.out.println(thread.run("Sketch a plan").finalResponse().orElse(""));
            thread.updateSettings(ThreadSettings.builder()
                    .effort("high")
                    .approvalMode(ApprovalMode.DENY_ALL)
                    .sandboxPreset(SandboxPreset.readOnly())
                    .build());
            System.out.println(thread.run("Now think harder, read-only").finalResponse().orElse(""));
            if (session.offline() != null) {
                System.out.println("[model request] reasoning effort: " + session.offline().server().requests().getLast()
                        .body().path("reasoning").path("effort").asString("?"));
            }
        }
    }
}
