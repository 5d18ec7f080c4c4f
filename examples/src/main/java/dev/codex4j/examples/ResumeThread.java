package dev.codex4j.examples;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;

/** Starts a thread, closes the client, and resumes the thread in a new app-server process. */
public final class ResumeThread {
    private ResumeThread() {}

    /** @param args optional: a thread id to resume (live mode) */
    public static void main(String[] args) {
        if (ExampleSession.live()) {
            try (Codex codex = Codex.start()) {
                CodexThread thread = args.length > 0 ? codex.resumeThread(args[0]) : codex.startThread();
                System.out.println(thread.id() + ": " + thread.run("What did we talk about?").finalResponse().orElse(""));
            }
            return;
        }
        try (OfflineCodex offline = OfflineCodex.start()) {
            offline.server().enqueue(ModelReply.message("Noted: the codeword is 'heron'."),
                    ModelReply.message("The codeword was 'heron'."));
            String id;
            try (Codex first = Codex.builder().launch(offline.launch()).build()) {
                CodexThread thread = first.startThread();
                id = thread.id();
                System.out.println("first process: " + thread.run("Remember the codeword 'heron'").finalResponse().orElse(""));
            }
            try (Codex second = Codex.builder().launch(offline.launch()).build()) {
                CodexThread resumed = second.resumeThread(id);
                System.out.println("second process, resumed " + id + ": "
                        + resumed.run("What was the codeword?").finalResponse().orElse(""));
            }
        }
    }
}
