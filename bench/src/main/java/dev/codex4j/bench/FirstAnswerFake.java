package dev.codex4j.bench;

import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;

/**
 * Prepares the fast fake app-server of testkit as an executable for {@link FirstAnswer} and
 * {@link RawFirstAnswer} and prints its path; the script deletes its directory afterwards.
 */
public final class FirstAnswerFake {
    private FirstAnswerFake() {}

    /** @param args none */
    public static void main(String[] args) {
        @SuppressWarnings("resource") // its directory must outlive this process
        FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script().defaultAnswer("Hello!"));
        System.out.println(fake.launch().executable());
    }
}
