package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ExperimentalApiRequiredException;
import dev.codex4j.protocol.types.Turn;
import dev.codex4j.testkit.OfflineCodex;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Undoing turns and forking before one, against the real Codex CLI. */
class RollbackIT {
    private OfflineCodex offline;

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
    }

    @AfterEach
    void stop() {
        offline.close();
    }

    private List<String> turnIds(CodexThread t) {
        return t.read(true).thread().turns().stream().map(Turn::id).toList();
    }

    private String lastPrompt() {
        return String.join("\n", offline.server().requests().getLast().userTexts());
    }

    @Test
    void rollbackUndoesTheLastTurnsAndTheModelNoLongerSeesThem() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread();
            RunResult one = thread.run("first question");
            thread.run("second question");
            thread.run("third question");
            thread.rollback(2);
            assertEquals(List.of(one.turnId()), turnIds(thread));
            thread.run("fourth question");
            String seen = lastPrompt();
            assertTrue(seen.contains("first question"), seen);
            assertFalse(seen.contains("second question") || seen.contains("third question"), seen);
            var e = assertThrows(IllegalArgumentException.class, () -> thread.rollback(3));
            assertTrue(e.getMessage().contains("has 2 turn(s)"), e.getMessage());
        }
    }

    @Test
    void forkBeforeATurnKeepsOnlyTheHistoryBeforeIt() {
        try (Codex codex = Codex.builder().launch(offline.launch()).build()) {
            CodexThread thread = codex.startThread();
            RunResult one = thread.run("first question");
            RunResult two = thread.run("second question");
            CodexThread fork = thread.forkBefore(two.turnId());
            assertEquals(1, turnIds(fork).size());
            fork.run("another second question");
            String seen = lastPrompt();
            assertTrue(seen.contains("first question") && !seen.contains("\nsecond question"), seen);
            assertEquals(List.of(one.turnId(), two.turnId()), turnIds(thread), "the original is unchanged");
            // before the first turn needs the experimental beforeTurnId
            var e = assertThrows(ExperimentalApiRequiredException.class, () -> thread.forkBefore(one.turnId()));
            assertTrue(e.feature().contains("beforeTurnId"), e.feature());
            assertThrows(IllegalArgumentException.class, () -> thread.forkBefore("no-such-turn"));
        }
        try (Codex codex = Codex.builder().launch(offline.launch()).experimentalApi(true).build()) {
            CodexThread thread = codex.startThread();
            RunResult one = thread.run("first question");
            assertEquals(List.of(), turnIds(thread.forkBefore(one.turnId())));
        }
    }
}
