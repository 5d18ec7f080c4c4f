package dev.codex4j.examples;

import dev.codex4j.ReviewResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.protocol.types.ReviewTarget;
import dev.codex4j.testkit.ModelReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Codex's code review of the uncommitted changes of a git repository (a temporary one offline,
 * the current directory live), on a thread of its own.
 */
public final class CodeReview {
    private CodeReview() {}

    /** @param args none */
    public static void main(String[] args) throws IOException, InterruptedException {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(request ->
                ModelReply.message("{\"findings\":[{\"title\":\"[P2] Greeting lost its newline\",\"body\":\"The file"
                        + " no longer ends with a newline.\",\"confidence_score\":0.6,\"priority\":2,\"code_location\":"
                        + "{\"absolute_file_path\":\"hello.txt\",\"line_range\":{\"start\":1,\"end\":1}}}],"
                        + "\"overall_correctness\":\"patch is correct\",\"overall_explanation\":\"One nit.\","
                        + "\"overall_confidence_score\":0.6}")))) {
            Path repo = session.offline() != null ? session.offline().workDir() : Path.of("").toAbsolutePath();
            if (session.offline() != null) {
                git(repo, "init", "-q");
                Files.writeString(repo.resolve("hello.txt"), "hello\n");
                git(repo, "add", "hello.txt");
                git(repo, "-c", "user.email=ex@codex4j.dev", "-c", "user.name=example", "commit", "-q", "-m", "hello");
                Files.writeString(repo.resolve("hello.txt"), "hello, world");
            }
            ReviewResult r = session.codex().review(ReviewTarget.UncommittedChanges.builder().build(),
                    ThreadOptions.builder().cwd(repo).build());
            System.out.println("[review " + r.status() + "]\n" + r.review().orElse("(no review)"));
        }
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        if (new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("git failed: " + String.join(" ", cmd));
        }
    }
}
