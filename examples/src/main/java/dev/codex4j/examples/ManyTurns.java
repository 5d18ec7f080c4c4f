package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.testkit.ModelReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Many concurrent turns on many threads over one connection, one virtual thread per turn. */
public final class ManyTurns {
    private ManyTurns() {}

    /** @param args optional: the number of threads (default 20) */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(
                request -> ModelReply.message("answer to: " + request.lastUserText())))) {
            long start = System.nanoTime();
            List<Future<RunResult>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    results.add(pool.submit(() -> {
                        CodexThread thread = session.codex().startThread();
                        return thread.run("question " + k);
                    }));
                }
            }
            for (Future<RunResult> f : results) {
                System.out.println(f.get().finalResponse().orElse("?"));
            }
            System.out.printf("%d turns on %d threads in %d ms%n", n, n, (System.nanoTime() - start) / 1_000_000);
        }
    }
}
