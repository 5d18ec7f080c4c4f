package dev.codex4j.bench;

import dev.codex4j.Codex;
import dev.codex4j.RunResult;
import dev.codex4j.protocol.AppServerLaunch;
import java.nio.file.Path;

/**
 * The time to a first answer, the SDK's side: one whole process that starts a client over an
 * app-server executable (the fast fake of testkit, see {@link FirstAnswerFake}), runs one turn to
 * its {@link RunResult}, closes the client and exits. {@code scripts/first-answer} runs it 7 times,
 * paired with {@link RawFirstAnswer} (the same exchange without the SDK) and a JVM's hello world,
 * and takes the medians of wall and CPU time; with {@code -Xlog:class+load} it counts the classes.
 *
 * <pre>{@code
 * java -cp ... dev.codex4j.bench.FirstAnswer /tmp/codex4j-fake-app-server-.../codex
 * }</pre>
 */
public final class FirstAnswer {
    private FirstAnswer() {}

    /** @param args the app-server executable */
    public static void main(String[] args) {
        long start = System.nanoTime();
        try (Codex codex = Codex.builder().launch(AppServerLaunch.defaults().withExecutable(Path.of(args[0]))).build()) {
            RunResult r = codex.startThread().run("Say hello");
            long answered = System.nanoTime();
            System.out.println(r.finalResponse() + " (" + (answered - start) / 1_000_000 + " ms from main to RunResult)");
        }
    }
}
