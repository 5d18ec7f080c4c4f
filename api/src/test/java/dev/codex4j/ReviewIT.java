package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.ReviewTarget;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Codex's code review on a real git repository, with the mock model as the reviewer. */
class ReviewIT {
    private OfflineCodex offline;
    private Path repo;
    private String head;

    @BeforeEach
    void start() throws Exception {
        offline = OfflineCodex.start();
        repo = offline.workDir();
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("count.py"), "for i in range(0, n - 1):\n    print(i)\n");
        git("add", "count.py");
        git("commit", "-q", "-m", "count to n");
        head = git("rev-parse", "HEAD").strip();
        Files.writeString(repo.resolve("count.py"), "for i in range(1, n - 1):\n    print(i)\n");
        offline.server().defaultReply(req -> req.rawBody().contains("# Review guidelines")
                ? ModelReply.message("{\"findings\":[{\"title\":\"[P1] Off by one\",\"body\":\"The loop skips n - 1.\","
                        + "\"confidence_score\":0.8,\"priority\":1,\"code_location\":{\"absolute_file_path\":\""
                        + repo.resolve("count.py") + "\",\"line_range\":{\"start\":1,\"end\":1}}}],"
                        + "\"overall_correctness\":\"patch is incorrect\",\"overall_explanation\":\"One bug.\","
                        + "\"overall_confidence_score\":0.7}")
                : ModelReply.message("not a review"));
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private String git(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "git";
        cmd[1] = "-c";
        cmd[2] = "user.email=test@codex4j.dev";
        cmd[3] = "-c";
        cmd[4] = "user.name=test";
        System.arraycopy(args, 0, cmd, 5, args.length);
        Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    @Test
    void anInlineReviewOfUncommittedChangesReturnsTheFindings() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread();
            ReviewResult r = thread.review(ReviewTarget.UncommittedChanges.builder().build());
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertEquals(thread.id(), r.threadId());
            String review = r.review().orElseThrow();
            assertTrue(review.contains("[P1] Off by one") && review.contains("count.py"), review);
            String prompt = offline.server().requests().getLast().lastUserText();
            assertTrue(prompt.contains("Review the current code changes"), prompt);
            assertTrue(thread.read(true).thread().turns().stream().map(Turn::id).toList().contains(r.turnId()),
                    "inline: the review is in the thread's history");
        }
    }

    @Test
    void aReviewOfACommitOnAThreadOfItsOwn() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread mine = codex.startThread();
            ReviewResult r = codex.review(ReviewTarget.Commit.builder().sha(head).title("count to n").build(),
                    ThreadOptions.builder().cwd(repo).build());
            assertNotEquals(mine.id(), r.threadId());
            assertTrue(r.review().orElseThrow().contains("One bug."));
            assertTrue(offline.server().requests().getLast().rawBody().contains(head), "the model was told the commit");
        }
    }
}
