package com.example.app;

import dev.codex4j.Codex;
import dev.codex4j.RunResult;

/** What this application does with Codex: one thread, one turn, one line back. */
public final class Summarizer {
    private final Codex codex;

    public Summarizer(Codex codex) {
        this.codex = codex;
    }

    public String summarize(String text) {
        RunResult result = codex.startThread().run("Summarize in one line:\n" + text);
        return result.finalResponse()
                .orElseThrow(() -> new IllegalStateException("no answer; the turn ended " + result.status()));
    }

    /** Against your own Codex setup and model: {@code java -cp ... com.example.app.Summarizer some text}. */
    public static void main(String[] args) {
        try (Codex codex = Codex.start()) {
            System.out.println(new Summarizer(codex).summarize(String.join(" ", args)));
        }
    }
}
