package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Structured output against the real Codex CLI and the mock model: the schema the model gets, and strict binding. */
class StructuredOutputIT {
    private OfflineCodex offline;
    private Codex codex;

    enum Severity {
        LOW, HIGH;

        @JsonValue
        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Issue(@JsonProperty("file_path") String path, Severity severity) {}

    record Verdict(@JsonProperty("is_ok") boolean ok, int score, List<Issue> issues, Optional<String> note,
            @Nullable String reason) {}

    @BeforeEach
    void start() {
        offline = OfflineCodex.start();
        codex = Codex.builder().launch(offline.launch()).build();
    }

    @AfterEach
    void stop() {
        codex.close();
        offline.close();
    }

    @Test
    void theModelGetsTheStrictSchemaAndTheAnswerBindsWithItsNames() {
        offline.server().enqueue(ModelReply.message("""
                {"is_ok":false,"score":2,"issues":[{"file_path":"A.java","severity":"high"}],"note":null,"reason":"a bug"}"""));
        Verdict v = codex.startThread().run("review", Verdict.class);
        assertEquals(new Verdict(false, 2, List.of(new Issue("A.java", Severity.HIGH)), Optional.empty(), "a bug"), v);
        var format = offline.server().requests().getLast().body().path("text").path("format");
        assertEquals(RecordSchema.of(Verdict.class).schema(), format.path("schema"), format.toString());
    }

    @Test
    void anEmptyAnswerObjectIsAnErrorNotDefaults() {
        offline.server().enqueue(ModelReply.message("{}"));
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> codex.startThread().run("review", Verdict.class));
        assertEquals("{}", e.answer());
        assertEquals("$.is_ok", e.path());
    }

    @Test
    void aMistypedMemberIsAnErrorNamingItsPath() {
        offline.server().enqueue(ModelReply.message("""
                {"is_ok":true,"score":"9","issues":[],"note":null,"reason":null}"""));
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> codex.startThread().run("review", Verdict.class));
        assertEquals("$.score", e.path());
    }
}
