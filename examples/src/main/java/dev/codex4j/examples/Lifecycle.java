package dev.codex4j.examples;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.ModelInfo;
import dev.codex4j.ThreadPage;
import dev.codex4j.testkit.ModelReply;

/** Thread lifecycle: list models, name, fork, list, archive and unarchive threads. */
public final class Lifecycle {
    private Lifecycle() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(r -> ModelReply.message("ok")))) {
            Codex codex = session.codex();
            for (ModelInfo m : codex.models()) {
                System.out.println("model " + m.id() + " (" + m.displayName() + ") efforts " + m.reasoningEfforts());
            }
            CodexThread thread = codex.startThread();
            thread.run("hello");
            thread.setName("lifecycle demo");
            CodexThread fork = codex.forkThread(thread.id());
            System.out.println("forked " + thread.id() + " into " + fork.id());
            ThreadPage page = codex.listThreads();
            page.threads().forEach(t -> System.out.println("stored thread " + t.id() + " name=" + t.name()));
            codex.archiveThread(fork.id());
            System.out.println("archived " + fork.id());
            codex.unarchiveThread(fork.id());
            System.out.println("unarchived " + fork.id());
        }
    }
}
