package dev.codex4j.examples;

import dev.codex4j.RunResult;

/** Undoing the last turn of a thread, and forking a thread before a turn to try again. */
public final class Rollback {
    private Rollback() {}

    /** @param args none */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> { })) {
            var thread = session.codex().startThread();
            thread.run("Use approach A");
            RunResult b = thread.run("Switch to approach B");
            thread.rollback(1);                                    // as if approach B had never been asked
            System.out.println("[after rollback] turns: " + thread.read(true).thread().turns().size());
            var retry = session.codex().startThread();
            retry.run("First step");
            RunResult second = retry.run("A second step that went wrong");
            var fork = retry.forkBefore(second.turnId());         // a new thread with the first step only
            System.out.println("[fork] turns: " + fork.read(true).thread().turns().size() + ", original: "
                    + retry.read(true).thread().turns().size() + " (B was turn " + b.turnId() + ")");
        }
    }
}
