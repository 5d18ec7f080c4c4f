package dev.codex4j.examples;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.protocol.types.Model;
import dev.codex4j.protocol.types.ReasoningEffortOption;
import dev.codex4j.protocol.types.ThreadListResponse;
import dev.codex4j.testkit.ModelReply;

/** Thread lifecycle: list models, name, fork, list, archive and unarchive threads. */
public final class Lifecycle {
    private Lifecycle() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(r -> ModelReply.message("ok")))) {
            Codex codex = session.codex();
            for (Model m : codex.models()) {
                System.out.println("model " + m.id() + " (" + m.displayName() + ") efforts "
                        + m.supportedReasoningEfforts().stream().map(ReasoningEffortOption::reasoningEffort).toList());
            }
            CodexThread thread = codex.startThread();
            thread.run("hello");
            thread.setName("lifecycle demo");
            CodexThread fork = codex.forkThread(thread.id());
            System.out.println("forked " + thread.id() + " into " + fork.id());
            ThreadListResponse page = codex.listThreads();
            page.data().forEach(t -> System.out.println("stored thread " + t.id() + " name=" + t.name()));
            codex.archiveThread(fork.id());
            System.out.println("archived " + fork.id());
            codex.unarchiveThread(fork.id());
            System.out.println("unarchived " + fork.id());
        }
    }
}
